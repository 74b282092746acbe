import { z } from "zod";

/**
 * The whole environment the assistant reads, parsed once at start-up.
 * Only `main.ts` and `cli/` call this; everything else receives values as arguments.
 */
const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"], {
    error: "expected true or false",
  })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** One or more `name:scrypt$<16-byte salt, base64>$<32-byte key, base64>`, comma-separated. */
const ADMIN_USER = "\\s*[a-z0-9._-]{2,32}:scrypt\\$[A-Za-z0-9+/]{22}(?:==)?\\$[A-Za-z0-9+/]{43}=?\\s*";
const ADMIN_USERS_FORMAT = new RegExp(`^${ADMIN_USER}(?:,${ADMIN_USER})*$`);

const count = (what: string) => z.coerce.number({ error: `expected a number of ${what}` }).int().min(1).max(100_000);
const minutes = () => z.coerce.number({ error: "expected minutes" }).int().min(1).max(10_080);

const common = {
  LOG_LEVEL: z
    .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
      error: "expected one of fatal, error, warn, info, debug, trace, silent",
    })
    .default("info"),
  HOST: z.string().min(1, "expected a host name or address").default("127.0.0.1"),
  PORT: z.coerce
    .number({ error: "expected a port number" })
    .int("expected a whole number")
    .min(0, "expected 0–65535")
    .max(65535, "expected 0–65535")
    .default(3000),
  KNOWLEDGE_DIR: z.string().min(1).default("./knowledge"),
  PROMPTS_DIR: z.string().min(1).default("./prompts"),
  CATALOGUE_AUTOLOAD: booleanFlag.default(true),
  CHAT_RATE_LIMIT_PER_MINUTE: z.coerce.number({ error: "expected a number of messages" }).int().min(1).max(10_000).default(30),
  EMBEDDINGS_BASE_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1" }).optional(),
  EMBEDDINGS_MODEL: z.string().min(1).default("text-embedding-3-small"),
  EMBEDDINGS_API_KEY: z.string().min(1).optional(),
  EMBEDDINGS_TIMEOUT_MS: z.coerce.number({ error: "expected milliseconds" }).int().min(100).max(60_000).default(3000),
  DOSSIER_EVENTS_SECRET: z.string().min(32, "expected a shared secret of at least 32 characters").optional(),
  CASE_LOOKUPS_LIMIT: count("lookups").default(10),
  CASE_LOOKUPS_WINDOW_MINUTES: minutes().default(10),
  CASE_VERIFY_FAILURES_LIMIT: count("failed verifications").default(5),
  CASE_VERIFY_FAILURES_WINDOW_MINUTES: minutes().default(60),
  NOTIFY_PER_SECOND: z.coerce.number({ error: "expected messages per second" }).positive("expected more than 0").max(1000).default(20),
  RATING_REQUEST_DELAY_MINUTES: z.coerce.number({ error: "expected minutes" }).int().min(0).max(10_080).default(60),
  RATING_REMINDER_HOURS: z.coerce.number({ error: "expected hours" }).int().min(0).max(720).default(48),
  RATING_QUIET_HOURS: z
    .string()
    .regex(/^(off|([01]?\d|2[0-3])-([01]?\d|2[0-3]))$/, "expected start-end hours in Vietnam time, e.g. 21-7, or off")
    .default("21-7"),
  REPORTS_REFRESH_MINUTES: z.coerce.number({ error: "expected minutes" }).int().min(1).max(1440).default(5),
  DEMO_DOSSIERS: booleanFlag.optional(),
  TELEGRAM_BOT_TOKEN: z.string().regex(/^\d{3,}:[A-Za-z0-9_-]{20,}$/, "expected the token @BotFather gave, like 123456789:AAH…").optional(),
  TELEGRAM_WEBHOOK_URL: z.url({ protocol: /^https$/, error: "expected the public https URL Telegram should post updates to" }).optional(),
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{32,256}$/, "expected 32–256 characters of A–Z, a–z, 0–9, _ and - (e.g. openssl rand -hex 32)")
    .optional(),
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/, error: "expected the Bot API server's base URL, e.g. https://api.telegram.org" }).default("https://api.telegram.org"),
  TELEGRAM_GROUPS: z.enum(["addressed", "off"], { error: "expected addressed or off" }).default("addressed"),
  TELEGRAM_FLOOD_LIMIT: count("messages").default(10),
  TELEGRAM_FLOOD_WINDOW_SECONDS: z.coerce.number({ error: "expected seconds" }).int().min(1).max(3600).default(10),
  ZALO_APP_ID: z.string().regex(/^\d{5,30}$/, "expected the app's ID from developers.zalo.me (digits)").optional(),
  ZALO_APP_SECRET: z.string().regex(/^\S{8,200}$/, "expected the app's secret key from developers.zalo.me").optional(),
  ZALO_OA_ID: z.string().regex(/^\d{5,30}$/, "expected the Official Account's ID (digits)").optional(),
  ZALO_OA_SECRET_KEY: z.string().regex(/^\S{8,200}$/, "expected the OA secret key shown with the webhook settings").optional(),
  ZALO_WEBHOOK_PATH: z.string().regex(/^\/[A-Za-z0-9/_-]{1,200}$/, "expected a path like /webhooks/zalo").default("/webhooks/zalo"),
  ZALO_SIGNATURE_VARIANTS: z
    .string()
    .regex(/^(app_id|oa_id)\+(oa_secret_key|app_secret)(,(app_id|oa_id)\+(oa_secret_key|app_secret))*$/, "expected a comma list of app_id|oa_id + oa_secret_key|app_secret, e.g. app_id+oa_secret_key")
    .optional(),
  ZALO_ACCESS_TOKEN: z.string().regex(/^\S{8,2000}$/, "expected the OA access token").optional(),
  ZALO_REFRESH_TOKEN: z.string().regex(/^\S{8,2000}$/, "expected the OA refresh token").optional(),
  ZALO_OUTSIDE_WINDOW: z.enum(["hold", "template"], { error: "expected hold or template" }).default("hold"),
  ZALO_STATUS_TEMPLATE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,50}$/, "expected a template id").optional(),
  ZALO_RATING_TEMPLATE_ID: z.string().regex(/^[A-Za-z0-9_-]{1,50}$/, "expected a template id").optional(),
  ZALO_API_ROOT: z.url({ protocol: /^https?$/, error: "expected a base URL, e.g. https://openapi.zalo.me" }).default("https://openapi.zalo.me"),
  ZALO_OAUTH_ROOT: z.url({ protocol: /^https?$/, error: "expected a base URL, e.g. https://oauth.zaloapp.com" }).default("https://oauth.zaloapp.com"),
  ZALO_BUSINESS_ROOT: z.url({ protocol: /^https?$/, error: "expected a base URL, e.g. https://business.openapi.zalo.me" }).default("https://business.openapi.zalo.me"),
  ZALO_WORKERS: z.coerce.number({ error: "expected a number of events" }).int().min(1).max(64).optional(),
  ADMIN_USERS: z
    .string()
    .regex(ADMIN_USERS_FORMAT, "expected name:scrypt$<salt>$<hash> entries separated by commas (names: 2–32 of a–z 0–9 . _ -); make a hash with npm run admin:hash-password")
    .refine((v) => new Set(v.split(",").map((e) => e.trim().split(":")[0])).size === v.split(",").length, "expected each admin name only once")
    .optional(),
  ADMIN_SESSION_IDLE_MINUTES: z.coerce.number({ error: "expected minutes" }).int().min(1).max(1440, "expected at most 1440 minutes").default(30),
};

const embedded = z.object({
  ...common,
  DATA_DIR: z.string().min(1, "expected a directory path").default("./data"),
});

const server = z.object({
  ...common,
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "expected a postgres:// or postgresql:// connection URL"),
});

export type Config =
  | ({ database: { kind: "embedded"; dataDir: string } } & CommonConfig)
  | ({ database: { kind: "server"; url: string } } & CommonConfig);

type CommonConfig = {
  logLevel: z.infer<typeof common.LOG_LEVEL>;
  host: string;
  port: number;
  knowledgeDir: string;
  promptsDir: string;
  catalogueAutoload: boolean;
  /** Web chat messages allowed per minute from one address. */
  chatPerMinute: number;
  /** Vector search, when an OpenAI-compatible embeddings endpoint is configured (off by default). */
  embeddings: { baseURL: string; model: string; apiKey?: string; timeoutMs: number } | null;
  /** Case tracking: the events API secret (unset: the API answers 503), lookup limits, notifications. */
  cases: {
    eventsSecret: string | null;
    lookups: { limit: number; windowMs: number };
    failures: { limit: number; windowMs: number };
    notifyPerSecond: number;
    ratingDelayMs: number;
    /** The one reminder of an unanswered rating request; 0 = none. */
    ratingReminderMs: number;
    /** Rating requests wait for the end of these hours (Vietnam time). */
    quietHours: { start: number; end: number };
    demo: boolean;
  };
  /** How often the reports' figures are recomputed. */
  reportsRefreshMs: number;
  /** Telegram, when a bot token is set: long polling, or a webhook when its URL is set. */
  telegram: {
    token: string;
    mode: { kind: "polling" } | { kind: "webhook"; url: string; path: string; secret: string };
    apiRoot: string;
    groups: "addressed" | "off";
    flood: { limit: number; windowMs: number };
  } | null;
  /** Zalo OA, when ZALO_APP_ID and ZALO_APP_SECRET are set. */
  zalo: ZaloConfig | null;
  /** The admin pages and reports API, when ADMIN_USERS is set. */
  admin: { users: { username: string; passwordHash: string }[]; sessionIdleMinutes: number } | null;
};

export interface ZaloConfig {
  appId: string;
  appSecret: string;
  oaId: string | null;
  oaSecretKey: string | null;
  webhookPath: string;
  /** Which signature computations to accept (null: every one whose values are set). */
  signatureVariants: string[] | null;
  /** Saved to the database when it holds no tokens yet. */
  initialTokens: { accessToken: string | null; refreshToken: string } | null;
  outsideWindow: "hold" | "template";
  templates: { status: string | null; rating: string | null };
  endpoints: { openApi: string; oauth: string; business: string };
  workers: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee .env.example for every setting.`);
    this.name = "ConfigError";
  }
}

/** Parses the environment; throws ConfigError naming each wrong variable and what it expects. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset: `FOO=` in a .env file means "use the default".
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const schema = clean.DATABASE_URL === undefined ? embedded : server;
  const parsed = schema.safeParse(clean);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`),
    );
  }
  const v = parsed.data;
  const problems: string[] = [];
  if (v.TELEGRAM_WEBHOOK_URL && !v.TELEGRAM_BOT_TOKEN) problems.push("TELEGRAM_WEBHOOK_URL: set TELEGRAM_BOT_TOKEN too (a webhook needs a bot)");
  if (v.TELEGRAM_WEBHOOK_URL && !v.TELEGRAM_WEBHOOK_SECRET) problems.push("TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL (Telegram sends it back; other requests are refused)");
  const zaloSet = Object.keys(v).filter((k) => k.startsWith("ZALO_") && k in clean);
  if (zaloSet.length > 0 && (!v.ZALO_APP_ID || !v.ZALO_APP_SECRET)) {
    problems.push(`ZALO_APP_ID and ZALO_APP_SECRET: both required to turn the Zalo channel on (${zaloSet.join(", ")} set)`);
  }
  if (v.ZALO_ACCESS_TOKEN && !v.ZALO_REFRESH_TOKEN) problems.push("ZALO_REFRESH_TOKEN: required with ZALO_ACCESS_TOKEN (the access token lives 25 h; only the refresh token renews it)");
  if (v.ZALO_APP_ID && v.ZALO_APP_SECRET && !v.ZALO_OA_SECRET_KEY && v.ZALO_SIGNATURE_VARIANTS?.includes("oa_secret_key")) {
    problems.push("ZALO_OA_SECRET_KEY: required by ZALO_SIGNATURE_VARIANTS");
  }
  if (v.ZALO_SIGNATURE_VARIANTS?.includes("oa_id+") && !v.ZALO_OA_ID) problems.push("ZALO_OA_ID: required by ZALO_SIGNATURE_VARIANTS");
  if (problems.length > 0) throw new ConfigError(problems);
  const rest: CommonConfig = {
    logLevel: v.LOG_LEVEL,
    host: v.HOST,
    port: v.PORT,
    knowledgeDir: v.KNOWLEDGE_DIR,
    promptsDir: v.PROMPTS_DIR,
    catalogueAutoload: v.CATALOGUE_AUTOLOAD,
    chatPerMinute: v.CHAT_RATE_LIMIT_PER_MINUTE,
    embeddings: v.EMBEDDINGS_BASE_URL
      ? { baseURL: v.EMBEDDINGS_BASE_URL, model: v.EMBEDDINGS_MODEL, timeoutMs: v.EMBEDDINGS_TIMEOUT_MS, ...(v.EMBEDDINGS_API_KEY ? { apiKey: v.EMBEDDINGS_API_KEY } : {}) }
      : null,
    cases: {
      eventsSecret: v.DOSSIER_EVENTS_SECRET ?? null,
      lookups: { limit: v.CASE_LOOKUPS_LIMIT, windowMs: v.CASE_LOOKUPS_WINDOW_MINUTES * 60_000 },
      failures: { limit: v.CASE_VERIFY_FAILURES_LIMIT, windowMs: v.CASE_VERIFY_FAILURES_WINDOW_MINUTES * 60_000 },
      notifyPerSecond: v.NOTIFY_PER_SECOND,
      ratingDelayMs: v.RATING_REQUEST_DELAY_MINUTES * 60_000,
      ratingReminderMs: v.RATING_REMINDER_HOURS * 3_600_000,
      quietHours: v.RATING_QUIET_HOURS === "off" ? { start: 0, end: 0 } : { start: Number(v.RATING_QUIET_HOURS.split("-")[0]), end: Number(v.RATING_QUIET_HOURS.split("-")[1]) },
      // Demo dossiers by default only on the embedded database (a newcomer's machine), never on a server.
      demo: v.DEMO_DOSSIERS ?? !("DATABASE_URL" in v),
    },
    reportsRefreshMs: v.REPORTS_REFRESH_MINUTES * 60_000,
    telegram: v.TELEGRAM_BOT_TOKEN
      ? {
          token: v.TELEGRAM_BOT_TOKEN,
          mode:
            v.TELEGRAM_WEBHOOK_URL && v.TELEGRAM_WEBHOOK_SECRET
              ? { kind: "webhook", url: v.TELEGRAM_WEBHOOK_URL, path: new URL(v.TELEGRAM_WEBHOOK_URL).pathname, secret: v.TELEGRAM_WEBHOOK_SECRET }
              : { kind: "polling" },
          apiRoot: v.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
          groups: v.TELEGRAM_GROUPS,
          flood: { limit: v.TELEGRAM_FLOOD_LIMIT, windowMs: v.TELEGRAM_FLOOD_WINDOW_SECONDS * 1000 },
        }
      : null,
    zalo:
      v.ZALO_APP_ID && v.ZALO_APP_SECRET
        ? {
            appId: v.ZALO_APP_ID,
            appSecret: v.ZALO_APP_SECRET,
            oaId: v.ZALO_OA_ID ?? null,
            oaSecretKey: v.ZALO_OA_SECRET_KEY ?? null,
            webhookPath: v.ZALO_WEBHOOK_PATH,
            signatureVariants: v.ZALO_SIGNATURE_VARIANTS ? v.ZALO_SIGNATURE_VARIANTS.split(",") : null,
            initialTokens: v.ZALO_REFRESH_TOKEN ? { accessToken: v.ZALO_ACCESS_TOKEN ?? null, refreshToken: v.ZALO_REFRESH_TOKEN } : null,
            outsideWindow: v.ZALO_OUTSIDE_WINDOW,
            templates: { status: v.ZALO_STATUS_TEMPLATE_ID ?? null, rating: v.ZALO_RATING_TEMPLATE_ID ?? null },
            endpoints: {
              openApi: v.ZALO_API_ROOT.replace(/\/+$/, ""),
              oauth: v.ZALO_OAUTH_ROOT.replace(/\/+$/, ""),
              business: v.ZALO_BUSINESS_ROOT.replace(/\/+$/, ""),
            },
            // Embedded PGlite runs every query on this process's thread: fewer events at once keep the
            // webhook's time-to-200 low (bench:zalo: p99 ~32 ms with 2, ~45 ms with 4) at the same throughput.
            workers: v.ZALO_WORKERS ?? ("DATA_DIR" in v ? 2 : 4),
          }
        : null,
    admin: v.ADMIN_USERS
      ? {
          users: v.ADMIN_USERS.split(",").map((entry) => {
            const colon = entry.indexOf(":");
            return { username: entry.slice(0, colon).trim(), passwordHash: entry.slice(colon + 1).trim() };
          }),
          sessionIdleMinutes: v.ADMIN_SESSION_IDLE_MINUTES,
        }
      : null,
  };
  return "DATA_DIR" in v
    ? { ...rest, database: { kind: "embedded", dataDir: v.DATA_DIR } }
    : { ...rest, database: { kind: "server", url: v.DATABASE_URL as string } };
}
