import { VIETNAM_OFFSET_MS, vietnamClock } from "../vietnam-time.ts";

/**
 * Quiet hours for rating requests: nobody is asked to rate a service at night. Hours are local time in
 * Vietnam (UTC+7 all year, no daylight saving), e.g. 21:00–07:00.
 */
export interface QuietHours {
  /** Local hour the quiet starts (inclusive), 0–23. */
  start: number;
  /** Local hour it ends (exclusive), 0–23. */
  end: number;
}


/** Whether `at` falls in the quiet hours (which may run past midnight). */
export function isQuiet(at: Date, quiet: QuietHours): boolean {
  if (quiet.start === quiet.end) return false;
  const hour = vietnamClock(at).getUTCHours();
  return quiet.start < quiet.end ? hour >= quiet.start && hour < quiet.end : hour >= quiet.start || hour < quiet.end;
}

/** `at` itself when outside the quiet hours; otherwise the moment they end (local `end`:00). */
export function afterQuietHours(at: Date, quiet: QuietHours): Date {
  if (!isQuiet(at, quiet)) return at;
  const local = vietnamClock(at);
  const end = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), quiet.end) - VIETNAM_OFFSET_MS;
  return new Date(end > at.getTime() ? end : end + 24 * 60 * 60_000);
}
