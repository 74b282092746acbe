import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { problemsOf } from "./support/config.ts";


describe("configuration", () => {
  it("needs no setting for the default run: embedded database under ./data, port 3000", () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: "embedded", dataDir: "./data" });
    expect(config.port).toBe(3000);
    expect(config.catalogueAutoload).toBe(true);
  });

  it("uses the PostgreSQL server when DATABASE_URL is set", () => {
    const config = loadConfig({ DATABASE_URL: "postgres://u:p@db.example:5432/tthc" });
    expect(config.database).toEqual({ kind: "server", url: "postgres://u:p@db.example:5432/tthc" });
  });

  it("treats an empty value as unset", () => {
    expect(loadConfig({ DATABASE_URL: "", PORT: "" }).database.kind).toBe("embedded");
  });

  it("names the variable and what it expects when a value is wrong", () => {
    expect(problemsOf({ PORT: "abc" })).toEqual(["PORT: expected a port number"]);
    expect(problemsOf({ PORT: "70000" })).toEqual(["PORT: expected 0–65535"]);
    expect(problemsOf({ DATABASE_URL: "mysql://x" })).toEqual([
      "DATABASE_URL: expected a postgres:// or postgresql:// connection URL",
    ]);
    expect(problemsOf({ CATALOGUE_AUTOLOAD: "maybe" })).toEqual(["CATALOGUE_AUTOLOAD: expected true or false"]);
  });

  it("reports every wrong variable at once and points to .env.example", () => {
    try {
      loadConfig({ PORT: "x", LOG_LEVEL: "loud" });
      expect.unreachable();
    } catch (error) {
      const e = error as ConfigError;
      expect(e.problems.map((p) => p.split(":")[0]).sort()).toEqual(["LOG_LEVEL", "PORT"]);
      expect(e.message).toContain(".env.example");
    }
  });
});

describe("configuration of vector search", () => {
  it("is off unless an embeddings endpoint is given, and names a wrong one", () => {
    expect(loadConfig({}).embeddings).toBeNull();
    expect(loadConfig({ EMBEDDINGS_BASE_URL: "http://127.0.0.1:8080/v1" }).embeddings).toEqual({
      baseURL: "http://127.0.0.1:8080/v1",
      model: "text-embedding-3-small",
      timeoutMs: 3000,
    });
    expect(problemsOf({ EMBEDDINGS_BASE_URL: "localhost:8080" })).toEqual([
      "EMBEDDINGS_BASE_URL: expected an http(s) URL of an OpenAI-compatible API, e.g. http://127.0.0.1:8080/v1",
    ]);
  });
});

describe("configuration of case tracking", () => {
  it("has working defaults: limits of 10 lookups per 10 minutes and 5 failed verifications per hour", () => {
    const { cases } = loadConfig({});
    expect(cases.eventsSecret).toBeNull();
    expect(cases.lookups).toEqual({ limit: 10, windowMs: 600_000 });
    expect(cases.failures).toEqual({ limit: 5, windowMs: 3_600_000 });
    expect(cases.ratingDelayMs).toBe(3_600_000);
  });

  it("adds demo dossiers by default on the embedded database only", () => {
    expect(loadConfig({}).cases.demo).toBe(true);
    expect(loadConfig({ DATABASE_URL: "postgres://db/tthc" }).cases.demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: "postgres://db/tthc", DEMO_DOSSIERS: "true" }).cases.demo).toBe(true);
  });

  it("refuses a short events secret and names the setting", () => {
    expect(problemsOf({ DOSSIER_EVENTS_SECRET: "short" })).toEqual([
      "DOSSIER_EVENTS_SECRET: expected a shared secret of at least 32 characters",
    ]);
  });
});

describe("Telegram settings", () => {
  const TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  it("is off without a token, polls with one, and uses the webhook's path when a URL and secret are set", () => {
    expect(loadConfig({}).telegram).toBeNull();
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).telegram).toMatchObject({ mode: { kind: "polling" }, groups: "addressed", apiRoot: "https://api.telegram.org", flood: { limit: 10, windowMs: 10_000 } });
    const secret = "a".repeat(40);
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://tro-ly.example.gov.vn/telegram/webhook", TELEGRAM_WEBHOOK_SECRET: secret }).telegram?.mode).toEqual({
      kind: "webhook",
      url: "https://tro-ly.example.gov.vn/telegram/webhook",
      path: "/telegram/webhook",
      secret,
    });
  });

  it("names what is wrong: a malformed token, an http webhook, a webhook without its secret", () => {
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: "not-a-token" })[0]).toMatch(/^TELEGRAM_BOT_TOKEN: expected the token @BotFather gave/);
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "http://example.org/hook", TELEGRAM_WEBHOOK_SECRET: "a".repeat(40) })[0]).toMatch(/^TELEGRAM_WEBHOOK_URL: expected the public https URL/);
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://example.org/hook" })).toEqual([
      "TELEGRAM_WEBHOOK_SECRET: required with TELEGRAM_WEBHOOK_URL (Telegram sends it back; other requests are refused)",
    ]);
    expect(problemsOf({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_URL: "https://example.org/hook", TELEGRAM_WEBHOOK_SECRET: "short" })[0]).toMatch(/^TELEGRAM_WEBHOOK_SECRET: expected 32–256 characters/);
    expect(problemsOf({ TELEGRAM_GROUPS: "all" })).toEqual(["TELEGRAM_GROUPS: expected addressed or off"]);
  });

  describe("Zalo OA", () => {
    const APP = { ZALO_APP_ID: "1234567890123456789", ZALO_APP_SECRET: "app-secret-value" };

    it("is off until the app id and secret are set, then holds messages outside the window by default", () => {
      expect(loadConfig({}).zalo).toBeNull();
      expect(loadConfig({ ...APP, ZALO_OA_SECRET_KEY: "oa-secret-key-1" }).zalo).toMatchObject({
        appId: APP.ZALO_APP_ID,
        webhookPath: "/webhooks/zalo",
        outsideWindow: "hold",
        templates: { status: null, rating: null },
        initialTokens: null,
        signatureVariants: null,
        endpoints: { openApi: "https://openapi.zalo.me", oauth: "https://oauth.zaloapp.com", business: "https://business.openapi.zalo.me" },
        workers: 2,
      });
      expect(loadConfig({ ...APP, DATABASE_URL: "postgres://db.example/tthc" }).zalo?.workers).toBe(4);
    });

    it("reads tokens, templates, the window rule and the accepted signature variants", () => {
      const zalo = loadConfig({
        ...APP,
        ZALO_REFRESH_TOKEN: "refresh-token-value",
        ZALO_OUTSIDE_WINDOW: "template",
        ZALO_RATING_TEMPLATE_ID: "412345",
        ZALO_SIGNATURE_VARIANTS: "app_id+app_secret",
      }).zalo;
      expect(zalo).toMatchObject({
        initialTokens: { accessToken: null, refreshToken: "refresh-token-value" },
        outsideWindow: "template",
        templates: { status: null, rating: "412345" },
        signatureVariants: ["app_id+app_secret"],
      });
    });

    it("says what to fix: a Zalo setting without the app, an access token without its refresh token, a variant without its key", () => {
      expect(problemsOf({ ZALO_OA_SECRET_KEY: "oa-secret-key-1" })).toEqual([
        "ZALO_APP_ID and ZALO_APP_SECRET: both required to turn the Zalo channel on (ZALO_OA_SECRET_KEY set)",
      ]);
      expect(problemsOf({ ...APP, ZALO_ACCESS_TOKEN: "access-token-value" })[0]).toMatch(/^ZALO_REFRESH_TOKEN: required with ZALO_ACCESS_TOKEN/);
      expect(problemsOf({ ...APP, ZALO_SIGNATURE_VARIANTS: "oa_id+oa_secret_key" })).toEqual([
        "ZALO_OA_SECRET_KEY: required by ZALO_SIGNATURE_VARIANTS",
        "ZALO_OA_ID: required by ZALO_SIGNATURE_VARIANTS",
      ]);
      expect(problemsOf({ ...APP, ZALO_OUTSIDE_WINDOW: "always" })).toEqual(["ZALO_OUTSIDE_WINDOW: expected hold or template"]);
      expect(problemsOf({ ...APP, ZALO_APP_ID: "abc" })[0]).toMatch(/^ZALO_APP_ID: expected the app's ID/);
    });
  });

  describe("ratings and reports", () => {
    it("defaults: request an hour after closure, one reminder after 48 h, quiet 21:00–07:00, figures every 5 minutes", () => {
      const c = loadConfig({});
      expect(c.cases).toMatchObject({ ratingDelayMs: 3_600_000, ratingReminderMs: 48 * 3_600_000, quietHours: { start: 21, end: 7 } });
      expect(c.reportsRefreshMs).toBe(300_000);
    });
    it("quiet hours can be moved or turned off; a wrong value names the variable", () => {
      expect(loadConfig({ RATING_QUIET_HOURS: "22-6" }).cases.quietHours).toEqual({ start: 22, end: 6 });
      expect(loadConfig({ RATING_QUIET_HOURS: "off" }).cases.quietHours).toEqual({ start: 0, end: 0 });
      expect(loadConfig({ RATING_REMINDER_HOURS: "0" }).cases.ratingReminderMs).toBe(0);
      expect(problemsOf({ RATING_QUIET_HOURS: "9pm-7am" })[0]).toMatch(/^RATING_QUIET_HOURS: expected start-end hours/);
    });
  });
});
