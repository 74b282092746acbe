/**
 * Vietnam's calendar: one offset all year (UTC+7, no daylight saving). Dates shown to citizens and staff,
 * quiet hours, and report months are all Vietnam time, whatever the server's time zone.
 */
export const VIETNAM_OFFSET_MS = 7 * 3_600_000;

/** `d` shifted so that its UTC fields (getUTCHours, getUTCDate…) read Vietnam's wall clock. */
export function vietnamClock(d: Date): Date {
  return new Date(d.getTime() + VIETNAM_OFFSET_MS);
}

/** Months since year 0: month arithmetic as integer arithmetic. */
export function monthIndex(ym: string): number {
  return Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
}

/** The month `now` falls in, in Vietnam, as YYYY-MM. */
export function currentMonth(now: Date): string {
  const v = vietnamClock(now);
  return `${v.getUTCFullYear()}-${String(v.getUTCMonth() + 1).padStart(2, "0")}`;
}

/** Adds (or subtracts) whole months to YYYY-MM. */
export function addMonths(ym: string, n: number): string {
  const i = monthIndex(ym) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

/** The first instant of month YYYY-MM in Vietnam. */
export function monthStart(ym: string): Date {
  return new Date(`${ym}-01T00:00:00+07:00`);
}

/** "tháng 12/2025" (lower case, for the middle of a sentence). */
export function monthLabel(ym: string): string {
  return `tháng ${Number(ym.slice(5, 7))}/${ym.slice(0, 4)}`;
}
