import type pg from "pg";
import type { RateLimiter } from "../../core/ports.ts";

/** Windows older than this (or than the window itself, if longer) are deleted now and then. */
const KEEP_MS = 24 * 60 * 60 * 1000;
/** One hit in this many also sweeps every expired window (only the current window is ever read). */
const SWEEP_EVERY = 100;

/**
 * Fixed-window counters in `rate_limits`, shared by every process on the database. A window starts at a
 * multiple of `windowMs` since the epoch; `hit` is one upsert returning the window's count. A key is
 * meant to be used with one window length (put the length in the key otherwise).
 */
export function createRateLimiter(pool: pg.Pool, options: { now?: () => number } = {}): RateLimiter {
  const now = options.now ?? Date.now;
  let hits = 0;
  const windowOf = (t: number, windowMs: number) => Math.floor(t / windowMs) * windowMs;
  const verdict = (count: number, limit: number, start: number, windowMs: number, t: number) =>
    count <= limit ? { allowed: true, retryAfterMs: 0 } : { allowed: false, retryAfterMs: Math.max(0, start + windowMs - t) };

  return {
    async hit(key, limit, windowMs) {
      const t = now();
      const start = windowOf(t, windowMs);
      const r = await pool.query<{ hits: number }>({
        name: "rate-limit-hit",
        text: `insert into rate_limits (key, window_start, hits) values ($1, to_timestamp($2::double precision / 1000), 1)
               on conflict (key, window_start) do update set hits = rate_limits.hits + 1
               returning hits`,
        values: [key, start],
      });
      const count = r.rows[0]?.hits ?? 1;
      if (++hits % SWEEP_EVERY === 0) {
        await pool.query("delete from rate_limits where window_start < to_timestamp($1::double precision / 1000)", [
          t - Math.max(KEEP_MS, windowMs),
        ]);
      }
      return verdict(count, limit, start, windowMs, t);
    },

    async check(key, limit, windowMs) {
      const t = now();
      const start = windowOf(t, windowMs);
      const r = await pool.query<{ hits: number }>({
        name: "rate-limit-check",
        text: "select hits from rate_limits where key = $1 and window_start = to_timestamp($2::double precision / 1000)",
        values: [key, start],
      });
      // Would one more hit still be allowed?
      return verdict((r.rows[0]?.hits ?? 0) + 1, limit, start, windowMs, t);
    },
  };
}
