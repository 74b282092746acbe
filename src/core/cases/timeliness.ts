import type { Dossier, DossierStatus } from "./types.ts";
import { VIETNAM_OFFSET_MS, vietnamClock } from "../vietnam-time.ts";

/** Whether a dossier is (or was) late, computed on demand: overdue is derived, never stored. */
export interface Timeliness {
  late: boolean;
  /** The appointment (or the one rescheduled date), moved by the time paused for supplements. */
  deadline: Date | null;
  /** Calendar days (Vietnam time) between the deadline and now or the finish; at least 1 when late, else 0. */
  daysLate: number;
}

/** Not received, withdrawn, stopped: the dossier will not be finished, so it is never "late". */
const NEVER_LATE: readonly DossierStatus[] = [3, 7, 8];
const DONE: readonly DossierStatus[] = [9, 10];
const DAY_MS = 86_400_000;

/**
 * The deadline is `rescheduledAt ?? appointmentAt` plus the time the clock stood still while the
 * citizen gathered supplements (each request until its resolution; an open request counts until now,
 * or until the dossier was finished). The dossier is late when it is unfinished and now is past the
 * deadline, or when it was finished after it.
 */
export function timeliness(d: Dossier, now: Date): Timeliness {
  const base = d.rescheduledAt ?? d.appointmentAt;
  const finished = d.finishedAt ?? (DONE.includes(d.status) ? d.returnedAt : null);
  const clockEnd = finished ?? now;
  if (!base) return { late: false, deadline: null, daysLate: 0 };
  const paused = d.supplements.reduce((sum, s) => {
    const end = s.resolvedAt ?? clockEnd;
    return sum + Math.max(0, end.getTime() - s.requestedAt.getTime());
  }, 0);
  const deadline = new Date(base.getTime() + paused);
  if (NEVER_LATE.includes(d.status)) return { late: false, deadline, daysLate: 0 };
  // Finished (9/10) with no date of finishing: nothing to compare, so not called late.
  if (!finished && DONE.includes(d.status)) return { late: false, deadline, daysLate: 0 };
  const late = clockEnd.getTime() > deadline.getTime();
  return { late, deadline, daysLate: late ? Math.max(1, vietnamDay(clockEnd) - vietnamDay(deadline)) : 0 };
}

/** Days since the epoch of the calendar day in Vietnam. */
function vietnamDay(d: Date): number {
  return Math.floor((d.getTime() + VIETNAM_OFFSET_MS) / DAY_MS);
}

/** dd/mm/yyyy in Vietnam time. */
export function formatVietnamDate(d: Date): string {
  const v = vietnamClock(d);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(v.getUTCDate())}/${pad(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
}
