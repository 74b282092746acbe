import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createInboundDedupe } from "../../../src/adapters/postgres/inbound-dedupe.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

describe.each(engines)("remembering inbound updates (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  beforeEach(async () => {
    ctx = await freshDatabase(engine);
  });
  afterEach(async () => ctx.dispose());

  it("sees an update first once, per channel, even when two deliveries race", async () => {
    const dedupe = createInboundDedupe(ctx.db.pool);
    const racing = await Promise.all([dedupe.firstSeen("telegram", "1001"), dedupe.firstSeen("telegram", "1001")]);
    expect(racing.sort()).toEqual([false, true]);
    expect(await dedupe.firstSeen("telegram", "1001")).toBe(false);
    expect(await dedupe.firstSeen("zalo", "1001")).toBe(true);
    expect(await dedupe.firstSeen("telegram", "1002")).toBe(true);
  });

  it("forgets updates after three days, swept now and then", async () => {
    const dedupe = createInboundDedupe(ctx.db.pool);
    await ctx.db.pool.query("insert into inbound_updates (channel, update_key, received_at) values ('telegram', 'old', now() - interval '4 days')");
    for (let i = 0; i < 1000; i++) await dedupe.firstSeen("telegram", `n${i}`);
    const left = await ctx.db.pool.query("select count(*)::int as n from inbound_updates where update_key = 'old'");
    expect(left.rows[0].n).toBe(0);
    expect(await dedupe.firstSeen("telegram", "n5")).toBe(false);
  });
});
