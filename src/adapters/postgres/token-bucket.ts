/**
 * A token bucket per channel, in this process: `take()` resolves when a message may go out. Holds at
 * most one second's worth of burst; callers past the budget queue up (tokens go negative as
 * reservations), so concurrent workers share the rate fairly. Several processes each get the full
 * rate: divide it when running more than one worker process.
 */
export interface TokenBucket {
  take(): Promise<void>;
}

export function createTokenBucket(perSecond: number, now: () => number = Date.now): TokenBucket {
  const rate = Math.max(0.001, perSecond);
  const capacity = Math.max(1, rate);
  let tokens = capacity;
  let last = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(capacity, tokens + ((t - last) / 1000) * rate);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return Promise.resolve();
      }
      const waitMs = ((1 - tokens) / rate) * 1000;
      tokens -= 1;
      return new Promise((resolve) => setTimeout(resolve, Math.ceil(waitMs)));
    },
  };
}

/** Messages per second per channel unless configured: Telegram allows ~30/s per bot, Zalo OA less. */
export const DEFAULT_RATE_PER_SECOND: Readonly<Record<string, number>> = { telegram: 20, zalo: 10, web: 50, cli: 50 };
export const FALLBACK_RATE_PER_SECOND = 10;
