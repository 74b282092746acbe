import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminSessions } from "../../../src/adapters/postgres/admin-sessions.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

describe.each(engines)("admin sessions in Postgres (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    ctx = await freshDatabase(engine);
  });
  afterAll(async () => ctx.dispose());

  it("creates, finds and deletes a session; the table holds only a hash of its id", async () => {
    const sessions = createAdminSessions(ctx.db.pool);
    const expires = new Date(Date.now() + 30 * 60_000);
    const id = await sessions.create("can-bo.mot-cua", expires);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await sessions.get(id)).toEqual({ user: "can-bo.mot-cua", expiresAt: expires });
    const stored = (await ctx.db.pool.query("select id_hash from admin_sessions")).rows.map((r) => r.id_hash);
    expect(stored).not.toContain(id);
    expect(await sessions.get(`${id.slice(0, -1)}${id.endsWith("A") ? "B" : "A"}`)).toBeNull(); // one character off
    await sessions.delete(id);
    expect(await sessions.get(id)).toBeNull();
  });

  it("drops expired sessions when a new one is made", async () => {
    const sessions = createAdminSessions(ctx.db.pool);
    const old = await sessions.create("a", new Date(Date.now() - 1000));
    await sessions.create("b", new Date(Date.now() + 60_000));
    expect(await sessions.get(old)).toBeNull();
  });
});
