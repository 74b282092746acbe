import type { Logger } from "pino";
import { createInboundDedupe } from "../adapters/postgres/inbound-dedupe.ts";
import type { Database } from "../adapters/postgres/database.ts";
import { createTelegramChannel, type TelegramChannel, type TelegramChannelOptions } from "../channels/telegram/telegram-channel.ts";
import type { Config } from "../config.ts";
import type { Assistant } from "../core/dialogue/messages.ts";
import type { Templates } from "../core/dialogue/templates.ts";

export interface TelegramSetup {
  channel: TelegramChannel;
  /** The route to mount on the HTTP server, in webhook mode. */
  webhook: { path: string; handler: ReturnType<TelegramChannel["webhookHandler"]> } | null;
  /** Registers the webhook, or starts long polling; call once the HTTP server listens. */
  start(): Promise<void>;
}

/** The Texts the Telegram channel says itself, from the reply templates. */
export function telegramTexts(t: Templates): TelegramChannelOptions["texts"] {
  return {
    unavailable: t.unavailable,
    staleChoice: t.staleChoice,
    textOnly: t.textOnly,
    tooFast: t.tooFast,
    commands: { start: t.commandStart, help: t.commandHelp, tra_cuu: t.commandLookup, huy: t.commandCancel },
  };
}

/**
 * The Telegram channel as configured: the token checked with Telegram (getMe) and the command menu
 * registered before anything else starts, so a wrong token stops start-up with a clear message.
 */
export async function setUpTelegram(options: {
  config: NonNullable<Config["telegram"]>;
  assistant: Assistant;
  templates: Templates;
  db: Database;
  log: Logger;
  botInfo?: TelegramChannelOptions["botInfo"];
}): Promise<TelegramSetup> {
  const { config, log } = options;
  const channel = createTelegramChannel({
    token: config.token,
    assistant: options.assistant,
    dedupe: createInboundDedupe(options.db.pool),
    log,
    texts: telegramTexts(options.templates),
    groups: config.groups,
    flood: config.flood,
    apiRoot: config.apiRoot,
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  const me = await channel.init();
  log.info({ bot: me.username, mode: config.mode.kind, groups: config.groups }, "telegram: token accepted");
  const mode = config.mode;
  return {
    channel,
    webhook: mode.kind === "webhook" ? { path: mode.path, handler: channel.webhookHandler(mode.secret) } : null,
    start: () => (mode.kind === "webhook" ? channel.setWebhook(mode.url, mode.secret) : channel.startPolling()),
  };
}
