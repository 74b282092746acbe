import { performance } from "node:perf_hooks";
import { loadConfig, ConfigError } from "./config.ts";
import { createLogger } from "./logger.ts";
import { openConfiguredDatabase } from "./cli/context.ts";
import { hasVectorSearch } from "./adapters/postgres/migrate.ts";
import { createCatalogueRepository } from "./adapters/postgres/catalogue-repository.ts";
import { syncKnowledge, KnowledgeError } from "./adapters/catalogue/knowledge-files.ts";
import { createHttpServer } from "./server/app.ts";
import { assistantSettings, buildAssistant } from "./cli/assistant-factory.ts";
import { DEMO_TRY, demoEvents } from "./cli/demo-dossiers.ts";
import { createWebInbox } from "./adapters/postgres/web-inbox.ts";
import { startNotifications } from "./adapters/postgres/notification-dispatcher.ts";
import { setUpTelegram, type TelegramSetup } from "./cli/telegram-setup.ts";
import { TelegramStartError } from "./channels/telegram/telegram-channel.ts";
import { setUpZalo, type ZaloSetup } from "./cli/zalo-setup.ts";
import { createAdminAlerts } from "./adapters/postgres/admin-alerts.ts";
import { createAdminSessions } from "./adapters/postgres/admin-sessions.ts";
import { createComplaintUpdater, createReportsReader } from "./adapters/postgres/reports-reader.ts";

/** The composition root: config → database → catalogue → HTTP server; graceful shutdown. */
async function main(): Promise<void> {
  const t0 = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const { db } = await openConfiguredDatabase(config, log);
  const catalogue = createCatalogueRepository(db.pool);

  if (config.catalogueAutoload) {
    try {
      const loaded = await syncKnowledge(config.knowledgeDir, catalogue);
      log.info({ procedures: loaded.procedures, guides: loaded.guides }, "default catalogue loaded");
    } catch (error) {
      if (error instanceof KnowledgeError) {
        log.fatal(error.message);
        await db.close();
        process.exit(1);
      }
      throw error;
    }
  }

  const { assistant, dossiers, composeNotification, templates, ratingRequests, ratings } = await buildAssistant({ db, log, ...assistantSettings(config) });

  // A newcomer's machine gets a few demo dossiers to look up (README lists codes and digits).
  if (config.cases.demo && (await db.pool.query("select 1 from dossiers limit 1")).rowCount === 0) {
    const procedures = await db.pool.query<{ code: string; name: string }>("select code, name from procedures where name is not null order by code limit 60");
    const seeded = await dossiers.ingest(demoEvents(procedures.rows, new Date()));
    log.info({ events: seeded.results.length, try: DEMO_TRY.map((t) => t.code) }, "demo dossiers added (DEMO_DOSSIERS=false turns this off)");
  }

  // Telegram, when a token is set: checked with Telegram before anything listens.
  let telegram: TelegramSetup | null = null;
  if (config.telegram) {
    try {
      telegram = await setUpTelegram({ config: config.telegram, assistant, templates, db, log });
    } catch (error) {
      log.fatal({ err: { message: (error as Error).message } }, error instanceof TelegramStartError ? error.message : "telegram: could not reach the Bot API at start-up");
      await db.close();
      process.exit(1);
    }
  } else {
    log.info("TELEGRAM_BOT_TOKEN is not set: the Telegram channel is off");
  }

  // Zalo, when the app id and secret are set. A citizen's message releases notifications held for them.
  let release: (userId: string) => Promise<void> = async () => undefined;
  let zalo: ZaloSetup | null = null;
  if (config.zalo) {
    zalo = await setUpZalo({ config: config.zalo, assistant, templates, ratings, db, log, onActive: (userId) => release(userId) });
  } else {
    log.info("ZALO_APP_ID is not set: the Zalo channel is off");
  }

  const inbox = createWebInbox(db.pool);
  const n = config.cases.notifyPerSecond;
  const notifications = await startNotifications({
    db,
    log,
    senders: [inbox.sender, ...(telegram ? [telegram.channel.sender] : []), ...(zalo ? [zalo.channel.sender] : [])],
    compose: composeNotification,
    ratingRequests,
    ratingDelayMs: config.cases.ratingDelayMs,
    reminderDelayMs: config.cases.ratingReminderMs,
    quietHours: config.cases.quietHours,
    ratePerSecond: { web: n, cli: n, telegram: n, zalo: n },
  });
  release = async (userId) => {
    await notifications.release("zalo", userId);
  };
  if (!config.cases.eventsSecret) log.info("DOSSIER_EVENTS_SECRET is not set: POST /api/v1/dossier-events answers 503 not_configured");

  // Reports: figures recomputed at start and every REPORTS_REFRESH_MINUTES (concurrently readable).
  const reports = createReportsReader(db.pool);
  const refreshReports = () =>
    reports.refresh().catch((error: unknown) => log.warn({ err: { message: (error as Error).message } }, "reports: refresh failed; the previous figures stay"));
  await refreshReports();
  const reportsTimer = setInterval(() => void refreshReports(), config.reportsRefreshMs);
  reportsTimer.unref();
  if (!config.admin) log.info("ADMIN_USERS is not set: the admin pages and reports API are off (npm run admin:hash-password makes an entry)");

  const server = createHttpServer({
    catalogue,
    assistant,
    chatPerMinute: config.chatPerMinute,
    inbox,
    ...(config.cases.eventsSecret
      ? {
          dossierEvents: {
            secret: config.cases.eventsSecret,
            ingest: async (events) => {
              const result = await dossiers.ingest(events);
              if (result.notifications > 0) notifications.kick();
              return result;
            },
          },
        }
      : {}),
    ...(telegram?.webhook ? { webhooks: [telegram.webhook] } : {}),
    ...(zalo ? { rawWebhooks: [zalo.webhook] } : {}),
    alerts: zalo?.alerts ?? createAdminAlerts(db.pool),
    ...(config.admin
      ? { admin: { reports, complaints: createComplaintUpdater(db.pool), users: config.admin.users, sessions: createAdminSessions(db.pool), sessionIdleMinutes: config.admin.sessionIdleMinutes } }
      : {}),
    health: { database: { kind: db.kind, vectorSearch: await hasVectorSearch(db.pool) } },
    logger: log,
  });
  await server.listen({ host: config.host, port: config.port });
  await telegram?.start();
  zalo?.start();
  const size = await catalogue.size();
  log.info(
    { url: `http://${config.host}:${config.port}`, database: `${db.kind} ${db.location}`, procedures: size.procedures, startupMs: Math.round(performance.now() - t0) },
    `Trợ lý thủ tục hành chính đang chạy tại http://${config.host}:${config.port}`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    clearInterval(reportsTimer);
    await telegram?.channel.stop();
    await server.close();
    await zalo?.stop();
    await notifications.stop();
    await db.close();
    clearTimeout(force);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(`Start-up failed: ${(error as Error).message}`);
  process.exit(1);
});
