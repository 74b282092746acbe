import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRateLimiter } from "../../../src/adapters/postgres/rate-limiter.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

describe.each(engines)("the rate limiter (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let clock = 0;
  beforeEach(async () => {
    ctx = await freshDatabase(engine);
    clock = Date.UTC(2025, 2, 12, 8, 0, 0);
  });
  afterEach(async () => ctx.dispose());

  it("allows `limit` hits per fixed window, then refuses with the time left, and opens a new window", async () => {
    const limiter = createRateLimiter(ctx.db.pool, { now: () => clock });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await limiter.hit("lookup:chat-1", 3, 60_000));
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, true, false]);
    expect(outcomes[3]!.retryAfterMs).toBe(60_000);
    clock += 20_000;
    expect(await limiter.check("lookup:chat-1", 3, 60_000)).toEqual({ allowed: false, retryAfterMs: 40_000 });
    expect(await limiter.check("lookup:chat-2", 3, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 });
    clock += 40_000;
    expect(await limiter.check("lookup:chat-1", 3, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect((await limiter.hit("lookup:chat-1", 3, 60_000)).allowed).toBe(true);
  });

  it("check does not count a hit", async () => {
    const limiter = createRateLimiter(ctx.db.pool, { now: () => clock });
    for (let i = 0; i < 5; i++) await limiter.check("k", 1, 60_000);
    expect((await limiter.hit("k", 1, 60_000)).allowed).toBe(true);
    expect((await limiter.hit("k", 1, 60_000)).allowed).toBe(false);
  });

  it("is shared by every limiter on the database and sweeps expired windows now and then", async () => {
    const a = createRateLimiter(ctx.db.pool, { now: () => clock });
    const b = createRateLimiter(ctx.db.pool, { now: () => clock });
    await a.hit("verify:x", 2, 60_000);
    await b.hit("verify:x", 2, 60_000);
    expect((await a.hit("verify:x", 2, 60_000)).allowed).toBe(false);
    clock += 120_000;
    expect(await b.hit("verify:x", 2, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 }); // a new window: the old one no longer counts
    clock += 2 * 86_400_000;
    for (let i = 0; i < 100; i++) await a.hit(`other:${i}`, 5, 60_000);
    expect((await ctx.db.pool.query("select count(*)::int n from rate_limits where key = 'verify:x'")).rows[0].n).toBe(0);
  });
});
