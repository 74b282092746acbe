import type { Reply } from "../dialogue/messages.ts";
import { render, type TemplateKey, type Templates } from "../dialogue/templates.ts";
import { formatVietnamDate, timeliness, type Timeliness } from "./timeliness.ts";
import type { Dossier, DossierHistoryItem, DossierStatus, ResultDelivery } from "./types.ts";

/**
 * What a citizen is told about a dossier. Two levels: the safe summary, shown to anyone holding the
 * code (codes are guessable, so nothing personal and nothing the agency wrote about the applicant),
 * and the details, shown only after the second factor (history, supplement items, amounts, reasons).
 */

/** How many history lines the details show (the most recent ones). */
export const HISTORY_LINES = 8;

/** The national status in plain Vietnamese, with the vendor's own label in brackets when it differs. */
export function statusLabel(t: Templates, status: DossierStatus, vendorStatus: string | null): string {
  const plain = render(t, `caseStatus${status}` as TemplateKey);
  const vendor = vendorStatus?.trim();
  return vendor && vendor.toLowerCase() !== plain.toLowerCase() ? `${plain} (${vendor})` : plain;
}

const dateOr = (t: Templates, d: Date | null): string => (d ? formatVietnamDate(d) : render(t, "caseUnknown"));

function timelinessLine(t: Templates, d: Dossier, tl: Timeliness): string | null {
  if (tl.deadline === null || d.status === 3 || d.status === 7 || d.status === 8) return null;
  const finished = d.finishedAt !== null || d.status === 9 || d.status === 10;
  if (finished) return tl.late ? render(t, "caseFinishedLate", { days: tl.daysLate }) : render(t, "caseFinishedOnTime");
  return tl.late ? render(t, "caseLate", { days: tl.daysLate }) : render(t, "caseOnTime");
}

/** How the result reaches the citizen: what the one-stop system says, else the channel of submission. */
function delivery(d: Dossier): ResultDelivery | null {
  if (d.resultDelivery) return d.resultDelivery;
  return d.channel === 3 ? "post" : d.channel === 2 ? "online" : d.channel === 1 ? "counter" : null;
}

/** The next step for the citizen, by status; `verified` adds what only the dossier's owner may see. */
function nextSteps(t: Templates, d: Dossier, tl: Timeliness, verified: boolean): string[] {
  const out: string[] = [];
  switch (d.status) {
    case 1:
    case 2:
    case 4:
      if (!tl.late) out.push(render(t, "caseNextWaiting"));
      break;
    case 5: {
      out.push(render(t, "caseNextSupplement"));
      if (verified) out.push(...supplementLines(t, d));
      else out.push(render(t, "caseSupplementAfterVerify"));
      break;
    }
    case 6:
      out.push(render(t, "caseNextFees"));
      if (verified) out.push(...feeLines(t, d));
      else out.push(render(t, "caseFeesAfterVerify"));
      break;
    case 3:
    case 7:
    case 8:
      out.push(render(t, `caseMeaning${d.status}` as TemplateKey));
      break;
    case 9:
    case 10: {
      const how = delivery(d);
      out.push(render(t, how === "counter" ? "caseNextCounter" : how === "post" ? "caseNextPost" : how === "online" ? "caseNextOnline" : "caseNextCollect"));
      if (d.status === 10) out.push(render(t, "caseNextReturned"));
      break;
    }
  }
  if (tl.late && d.finishedAt === null && d.status !== 9 && d.status !== 10) out.push(render(t, "caseNextLate"));
  return out;
}

function supplementLines(t: Templates, d: Dossier): string[] {
  const open = d.supplements.find((s) => s.resolvedAt === null) ?? d.supplements.at(-1);
  if (!open || open.items.length === 0) return [];
  return [[render(t, "caseSupplementTitle"), ...open.items.map((i) => `• ${i}`)].join("\n")];
}

function feeLines(t: Templates, d: Dossier): string[] {
  const out: string[] = [];
  if (d.feesDue?.amount != null) out.push(render(t, "caseFeesAmount", { amount: d.feesDue.amount.toLocaleString("vi-VN") }));
  if (d.feesDue?.note) out.push(render(t, "caseFeesNote", { note: d.feesDue.note }));
  return out;
}

function rescheduleLine(t: Templates, d: Dossier): string | null {
  if (!d.rescheduledAt) return null;
  return render(t, "caseRescheduled", { date: formatVietnamDate(d.rescheduledAt), reason: d.rescheduleReason ?? render(t, "caseUnknown") });
}

function summaryText(t: Templates, d: Dossier, tl: Timeliness): string {
  const appointment = d.rescheduledAt ?? d.appointmentAt;
  const head = render(t, "caseSummary", {
    code: d.code,
    procedure: d.procedureName ?? render(t, "caseUnknown"),
    status: statusLabel(t, d.status, d.vendorStatus),
    received: dateOr(t, d.receivedAt),
    appointment: dateOr(t, appointment),
  });
  const line = timelinessLine(t, d, tl);
  return line ? `${head}\n${line}` : head;
}

/**
 * The safe summary for whoever holds the code: procedure, plain status, received and appointment
 * dates, whether it is late, and the next step, ending with how to unlock the details.
 */
export function safeSummary(t: Templates, d: Dossier, now: Date): Reply[] {
  const tl = timeliness(d, now);
  return [{ text: [summaryText(t, d, tl), ...nextSteps(t, d, tl, false), render(t, "caseFactorPrompt")].join("\n\n") }];
}

/** The details for the verified owner: history, supplement items, amounts, the rescheduled date. */
export function verifiedDetails(t: Templates, d: Dossier, history: DossierHistoryItem[], now: Date): string {
  const tl = timeliness(d, now);
  const parts: string[] = [render(t, "caseDetails", { code: d.code })];
  const lines = [...history]
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime())
    .slice(-HISTORY_LINES)
    .map((h) => {
      const label = h.status ? statusLabel(t, h.status, h.vendorStatus) : (h.vendorStatus ?? "");
      const body = [label, h.note].filter((x): x is string => !!x && x.trim() !== "").join(": ");
      return `• ${formatVietnamDate(h.occurredAt)}: ${body}`;
    });
  if (lines.length > 0) parts.push([render(t, "caseHistoryTitle"), ...lines].join("\n"));
  const line = timelinessLine(t, d, tl);
  if (line) parts.push(line);
  // Items and amounts are shown even when the dossier has moved on, as long as they are open.
  if (d.status !== 5) parts.push(...(d.supplements.some((s) => s.resolvedAt === null) ? supplementLines(t, d) : []));
  if (d.status !== 6 && d.feesDue && d.feesDue.amount != null && d.status < 9) parts.push(...feeLines(t, d));
  const resched = rescheduleLine(t, d);
  if (resched) parts.push(resched);
  parts.push(...nextSteps(t, d, tl, true));
  return parts.join("\n\n");
}

/**
 * The text pushed to a verified subscriber when the dossier changes: the new status, the dates, and
 * the next step with its details (items to supplement, amounts due, the rescheduled date).
 */
export function statusNotification(d: Dossier, now: Date, templates: Templates): Reply[] {
  const t = templates;
  const tl = timeliness(d, now);
  const head = render(t, "caseNotification", { code: d.code, status: statusLabel(t, d.status, d.vendorStatus) });
  const parts = [head, summaryText(t, d, tl)];
  const resched = rescheduleLine(t, d);
  if (resched) parts.push(resched);
  parts.push(...nextSteps(t, d, tl, true));
  return [{ text: parts.join("\n\n") }];
}
