import type { Logger } from "pino";
import type { Database } from "../adapters/postgres/database.ts";
import { createAdminAlerts } from "../adapters/postgres/admin-alerts.ts";
import { createEventInbox, createSentTemplates } from "../adapters/postgres/channel-inbox.ts";
import { createTokenStore } from "../adapters/postgres/channel-tokens.ts";
import { createZaloClient, type ZaloClientOptions } from "../channels/zalo/client.ts";
import { signatureVariants } from "../channels/zalo/inbound.ts";
import { createZaloTokens, saveGrant, ZALO, type ZaloTokens } from "../channels/zalo/tokens.ts";
import { createZaloChannel, type ZaloChannel } from "../channels/zalo/zalo-channel.ts";
import type { ZaloConfig } from "../config.ts";
import type { Assistant } from "../core/dialogue/messages.ts";
import { render, type TemplateKey, type Templates } from "../core/dialogue/templates.ts";
import type { AdminAlerts, RatingStore, TokenStore } from "../core/ports.ts";
import { templateRatings } from "../core/ratings/rating-flow.ts";
import type { RawWebhook } from "../server/app.ts";

export interface ZaloSetup {
  channel: ZaloChannel;
  tokens: ZaloTokens;
  alerts: AdminAlerts;
  webhook: RawWebhook;
  /** Starts the inbox sweep and the token timer (refresh ahead of expiry). */
  start(): void;
  stop(): Promise<void>;
}

/** How often the token timer looks at the expiry (a refresh happens only within the last hour). */
const TOKEN_CHECK_MS = 10 * 60_000;

/**
 * Saves the tokens from settings when the database holds none, or holds a dead pair and the settings
 * bring a different refresh token (a person authorised the app again). A live stored pair wins: the
 * settings' refresh token was spent at the first refresh.
 */
export async function seedTokens(store: TokenStore, alerts: AdminAlerts, initial: ZaloConfig["initialTokens"], log: Logger): Promise<void> {
  if (!initial) return;
  const stored = await store.read(ZALO);
  if (stored && !(stored.dead && stored.refreshToken !== initial.refreshToken)) return;
  await saveGrant(store, alerts, initial);
  log.info(stored ? "zalo: tokens from settings replace the dead grant" : "zalo: tokens from settings saved to the database");
}

/** The Zalo channel as configured. */
export async function setUpZalo(options: {
  config: ZaloConfig;
  assistant: Assistant;
  templates: Templates;
  db: Database;
  log: Logger;
  /** Where the rating template's answers go (the assistant's rating store). */
  ratings: RatingStore;
  /** The citizen wrote: held notifications go out (bound after the dispatcher starts). */
  onActive?: (userId: string) => Promise<void>;
  client?: Pick<ZaloClientOptions, "maxAttempts" | "retryBaseMs">;
}): Promise<ZaloSetup> {
  const { config, db, log, templates: t } = options;
  const client = createZaloClient({ endpoints: config.endpoints, appId: config.appId, appSecret: config.appSecret, ...options.client });
  const store = createTokenStore(db.pool, { processLocal: db.kind === "embedded" });
  const alerts = createAdminAlerts(db.pool);
  await seedTokens(store, alerts, config.initialTokens, log);
  const tokens = createZaloTokens({ store, alerts, refresh: (r) => client.refresh(r), log });

  const all = signatureVariants({ appId: config.appId, oaId: config.oaId ?? undefined, oaSecretKey: config.oaSecretKey ?? undefined, appSecret: config.appSecret });
  const signatures = config.signatureVariants ? all.filter((v) => config.signatureVariants!.includes(v.name)) : all;

  const channel = createZaloChannel({
    client,
    tokens,
    assistant: options.assistant,
    inbox: createEventInbox(db.pool),
    sentTemplates: createSentTemplates(db.pool),
    ratings: templateRatings(options.ratings),
    log,
    texts: { unavailable: t.unavailable, textOnly: t.textOnly },
    signatures,
    outsideWindow: config.outsideWindow,
    templates: { status: config.templates.status ?? undefined, rating: config.templates.rating ?? undefined },
    statusName: (status) => (status !== null && status >= 1 && status <= 10 ? render(t, `caseStatus${status}` as TemplateKey) : render(t, "caseUnknown")),
    ...(options.onActive ? { onActive: options.onActive } : {}),
    workers: config.workers,
  });

  let timer: NodeJS.Timeout | null = null;
  const checkTokens = async () => {
    try {
      const state = await tokens.refreshIfDue();
      if (state === "missing") log.warn("zalo: no tokens yet: set ZALO_REFRESH_TOKEN or run npm run zalo:tokens; replies cannot be sent until then");
    } catch (error) {
      log.warn({ err: { message: (error as Error).message } }, "zalo: token check failed; next check in 10 minutes");
    }
  };

  log.info({ path: config.webhookPath, signatures: signatures.map((s) => s.name), outsideWindow: config.outsideWindow }, "zalo: channel on");
  return {
    channel,
    tokens,
    alerts,
    webhook: {
      path: config.webhookPath,
      receive: (raw, headers) => channel.receive(raw, headerValue(headers["x-zevent-signature"])),
    },
    start() {
      channel.start();
      void checkTokens();
      timer = setInterval(() => void checkTokens(), TOKEN_CHECK_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await channel.stop();
    },
  };
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
