import type pg from "pg";
import type { InboundDedupe } from "../../core/ports.ts";

/** How long a seen update is remembered: Telegram keeps undelivered updates 24 h, Zalo retries up to 12 h. */
const KEEP_MS = 3 * 24 * 60 * 60 * 1000;
/** One call in this many also sweeps rows older than KEEP_MS. */
const SWEEP_EVERY = 1000;

/**
 * `inbound_updates` as the dedupe every channel uses: one insert (a named statement, planned once per
 * connection) that either claims the update or finds it already there. Shared by every process on the database, so two workers behind one webhook cannot
 * both answer a re-delivered update.
 */
export function createInboundDedupe(pool: pg.Pool, options: { now?: () => number } = {}): InboundDedupe {
  const now = options.now ?? Date.now;
  let calls = 0;
  return {
    async firstSeen(channel, key) {
      const r = await pool.query({
        name: "inbound-update-seen",
        text: "insert into inbound_updates (channel, update_key) values ($1, $2) on conflict do nothing",
        values: [channel, key],
      });
      if (++calls % SWEEP_EVERY === 0) {
        await pool.query("delete from inbound_updates where received_at < to_timestamp($1::double precision / 1000)", [now() - KEEP_MS]);
      }
      return r.rowCount === 1;
    },
  };
}
