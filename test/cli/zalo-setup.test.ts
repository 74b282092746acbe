import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminAlerts } from "../../src/adapters/postgres/admin-alerts.ts";
import { createTokenStore } from "../../src/adapters/postgres/channel-tokens.ts";
import { DEAD_GRANT_ALERT, ZALO } from "../../src/channels/zalo/tokens.ts";
import { seedTokens } from "../../src/cli/zalo-setup.ts";
import { freshDatabase } from "../support/databases.ts";

const log = pino({ level: "silent" });

describe("Zalo tokens from the settings", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
  });
  afterAll(async () => ctx.dispose());

  it("are saved into an empty database; a live stored pair (already rotated) wins over them later", async () => {
    const store = createTokenStore(ctx.db.pool, { processLocal: true });
    const alerts = createAdminAlerts(ctx.db.pool);
    await seedTokens(store, alerts, { accessToken: null, refreshToken: "refresh-from-settings" }, log);
    expect((await store.read(ZALO))?.refreshToken).toBe("refresh-from-settings");
    await store.save(ZALO, { accessToken: "access-2", refreshToken: "refresh-2", expiresAt: new Date(Date.now() + 3_600_000) });
    await seedTokens(store, alerts, { accessToken: null, refreshToken: "refresh-from-settings" }, log);
    expect((await store.read(ZALO))?.refreshToken).toBe("refresh-2");
  });

  it("replace a dead grant when they bring a different refresh token, clearing the alert; the same dead one changes nothing", async () => {
    const store = createTokenStore(ctx.db.pool, { processLocal: true });
    const alerts = createAdminAlerts(ctx.db.pool);
    await store.markDead(ZALO, "-14014 Invalid refresh token");
    await alerts.raise(DEAD_GRANT_ALERT, "Zalo OA: quyền truy cập đã hết hiệu lực");
    await seedTokens(store, alerts, { accessToken: null, refreshToken: "refresh-2" }, log);
    expect((await store.read(ZALO))?.dead).not.toBeNull();
    await seedTokens(store, alerts, { accessToken: "access-new", refreshToken: "refresh-new" }, log);
    const pair = await store.read(ZALO);
    expect(pair).toMatchObject({ accessToken: "access-new", refreshToken: "refresh-new", dead: null });
    expect(await alerts.list()).toEqual([]);
  });
});
