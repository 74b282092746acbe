import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAdminAlerts } from "../../../src/adapters/postgres/admin-alerts.ts";
import { createTokenStore } from "../../../src/adapters/postgres/channel-tokens.ts";
import { openDatabase, type Database } from "../../../src/adapters/postgres/database.ts";
import { createZaloClient, type ZaloClient } from "../../../src/channels/zalo/client.ts";
import { createZaloTokens, DEAD_GRANT_ALERT, ZALO, ZaloAuthError, type ZaloTokens } from "../../../src/channels/zalo/tokens.ts";
import { engines, freshDatabase } from "../../support/databases.ts";
import { FAKE_ZALO, startFakeZalo, ZALO_PATHS, type FakeZalo } from "../../fakes/fake-zalo-server.ts";

const HOUR = 60 * 60_000;
const USER = "2468013579246801357";

function recordingLog() {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (_fields: object, message: string) => void lines.push({ level, message });
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } };
}

describe.each(engines)("Zalo tokens in Postgres (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let fake: FakeZalo;
  let client: ZaloClient;

  beforeEach(async () => {
    ctx = await freshDatabase(engine);
    fake = await startFakeZalo();
    client = createZaloClient({ endpoints: { openApi: fake.url, oauth: fake.url, business: fake.url }, appId: FAKE_ZALO.appId, appSecret: FAKE_ZALO.appSecret, retryBaseMs: 5 });
  });
  afterEach(async () => {
    await fake.close();
    await ctx.dispose();
  });

  function manager(db: Database = ctx.db, log = recordingLog().log): ZaloTokens {
    const store = createTokenStore(db.pool, { processLocal: db.kind === "embedded" });
    return createZaloTokens({ store, alerts: createAdminAlerts(db.pool), refresh: (r) => client.refresh(r), log });
  }
  const save = (expiresInMs: number) =>
    createTokenStore(ctx.db.pool, { processLocal: true }).save(ZALO, {
      accessToken: fake.tokens.access,
      refreshToken: fake.tokens.refresh,
      expiresAt: new Date(Date.now() + expiresInMs),
    });
  const stored = async () =>
    (await ctx.db.pool.query<{ access_token: string; refresh_token: string; expires_at: Date; dead_reason: string | null }>("select * from channel_tokens where channel = 'zalo'")).rows[0]!;

  it("uses the stored token while it has more than an hour left, without refreshing", async () => {
    await save(20 * HOUR);
    const tokens = manager();
    expect(await tokens.current()).toBe(FAKE_ZALO.initialAccess);
    expect(await tokens.refreshIfDue()).toBe("fresh");
    expect(fake.refreshes).toBe(0);
  });

  it("refreshes ahead of the 25 h expiry and saves the rotated pair before using it", async () => {
    await save(30 * 60_000); // half an hour left
    const tokens = manager();
    expect(await tokens.refreshIfDue()).toBe("refreshed");
    const row = await stored();
    expect(row.access_token).toBe(fake.tokens.access);
    expect(row.refresh_token).toBe(fake.tokens.refresh);
    expect(row.expires_at.getTime() - Date.now()).toBeGreaterThan(24 * HOUR);
    await client.sendCs(tokens, USER, { text: "Xin chào" });
    expect(fake.calls.at(-1)!.headers.access_token).toBe(row.access_token);
  });

  it("never uses a new access token it could not save: the refresh token is already spent", async () => {
    await save(30 * 60_000);
    const store = createTokenStore(ctx.db.pool, { processLocal: ctx.db.kind === "embedded" });
    const failingSave = { ...store, save: async () => Promise.reject(new Error("connection terminated")) };
    const tokens = createZaloTokens({ store: failingSave, alerts: createAdminAlerts(ctx.db.pool), refresh: (r) => client.refresh(r), log: recordingLog().log });
    await expect(client.sendCs(tokens, USER, { text: "Xin chào" })).rejects.toThrow("connection terminated");
    expect(fake.refreshes).toBe(1);
    expect(fake.calls.filter((c) => c.path === ZALO_PATHS.cs)).toHaveLength(0);
  });

  it("refreshes reactively, once, when Zalo says the token expired (-220)", async () => {
    await save(20 * HOUR);
    const tokens = manager();
    fake.expireAccessToken();
    await client.sendCs(tokens, USER, { text: "Xin chào" });
    expect(fake.refreshes).toBe(1);
    expect((await stored()).access_token).toBe(fake.tokens.access);
    expect(fake.sent).toHaveLength(1);
  });

  it("two concurrent callers in one process make one refresh", async () => {
    await save(20 * HOUR);
    const tokens = manager();
    fake.expireAccessToken();
    fake.setRefreshDelay(100);
    await Promise.all([client.sendCs(tokens, USER, { text: "một" }), client.sendCs(tokens, USER, { text: "hai" })]);
    expect(fake.refreshes).toBe(1);
    expect(fake.sent.map((s) => s.text).sort()).toEqual(["hai", "một"]);
  });

  it("two managers on the same database (two processes) make one refresh: the second finds the new pair", async () => {
    await save(20 * HOUR);
    // On a server each process has its own pool; the advisory lock serialises them.
    const other = engine === "server" ? await openDatabase({ kind: "server", url: ctx.db.location }) : null;
    const a = manager();
    const b = manager(other ?? ctx.db);
    fake.expireAccessToken();
    fake.setRefreshDelay(150);
    await Promise.all([client.sendCs(a, USER, { text: "A" }), client.sendCs(b, USER, { text: "B" })]);
    expect(fake.refreshes).toBe(1);
    expect(fake.sent).toHaveLength(2);
    await other?.close();
  });

  it("a dead grant: one log line, one admin alert, the pair marked dead, and no more calls to Zalo", async () => {
    await save(10 * 60_000);
    fake.killGrant();
    const { lines, log } = recordingLog();
    const tokens = manager(ctx.db, log);
    await expect(tokens.current()).rejects.toBeInstanceOf(ZaloAuthError);
    await expect(tokens.current()).rejects.toMatchObject({ reason: "dead" });
    expect(await tokens.refreshIfDue()).toBe("dead");
    expect(fake.calls.filter((c) => c.path === ZALO_PATHS.accessToken)).toHaveLength(1);
    expect(lines.filter((l) => l.level === "error")).toHaveLength(1);
    expect(lines.find((l) => l.level === "error")!.message).toMatch(/grant is dead.*npm run zalo:tokens/);
    expect((await stored()).dead_reason).toMatch(/-14014/);
    const alerts = await createAdminAlerts(ctx.db.pool).list();
    expect(alerts.map((a) => a.key)).toEqual([DEAD_GRANT_ALERT]);
    expect(alerts[0]!.message).toMatch(/Zalo OA/);
  });

  it("no tokens at all: a clear error, and nothing is asked of Zalo", async () => {
    const tokens = manager();
    await expect(tokens.current()).rejects.toMatchObject({ reason: "missing" });
    expect(fake.calls).toHaveLength(0);
  });
});
