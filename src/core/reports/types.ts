/**
 * The reports a one-stop centre is judged by (issue 7), as plain data: the SQL adapter computes them,
 * the admin pages, CSV downloads and the JSON API show the same rows.
 *
 * Definitions (DOMAIN.md, Decision 766/QĐ-TTg):
 * - A dossier counts in the month it closed (status 9 or 10; `finished_at`, else the status time).
 * - Late: closed after its due date (the rescheduled date if an apology gave one, else the appointment).
 * - Levels: 3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng ("dislike").
 * - Dislike share = dislikes ÷ rated. Response rate = rated ÷ rating requests sent.
 * - KPI = 100% − (% late + % with a complaint or a dislike), both over closed dossiers.
 */

/** Which rows a report groups by. */
export type ReportGrouping = "month" | "unit" | "procedure";

/** A period of whole months, inclusive, as YYYY-MM; optional narrowing to one unit or procedure. */
export interface ReportFilter {
  from: string;
  to: string;
  unitCode?: string;
  procedureCode?: string;
}

export interface SatisfactionRow {
  /** "2026-10", a unit code, or a procedure code. */
  key: string;
  /** "Tháng 10/2026", the unit's name, or the procedure's name. */
  label: string;
  closed: number;
  requested: number;
  rated: number;
  veryGood: number;
  good: number;
  dislike: number;
  /** dislike ÷ rated, 0–1 (0 when nothing was rated). */
  dislikeShare: number;
  /** rated ÷ requested, 0–1 (0 when nothing was requested). */
  responseRate: number;
}

export interface KpiRow {
  key: string;
  label: string;
  closed: number;
  late: number;
  /** Closed dossiers with a complaint or a "Không hài lòng" rating. */
  complaintOrDislike: number;
  /** Percentages, 0–100, one decimal. */
  latePct: number;
  complaintOrDislikePct: number;
  /** 100 − (latePct + complaintOrDislikePct), one decimal; null when nothing closed. */
  kpi: number | null;
}

export type ComplaintStatus = "new" | "in_progress" | "resolved";

export interface ComplaintRow {
  /** Reference number given to the citizen, e.g. PA-261122-0007. */
  ref: string;
  dossierCode: string;
  procedureName: string | null;
  unitName: string | null;
  /** The citizen's words with phone and ID numbers masked. */
  comment: string;
  status: ComplaintStatus;
  createdAt: Date;
}

export interface UnansweredRow {
  /** The question as the citizen asked it most recently (numbers masked). */
  example: string;
  /** The grouping key: the folded, lower-case question (no tone marks, punctuation or extra spaces). */
  key: string;
  count: number;
  lastAskedAt: Date;
}

/** Reads the reports; implemented over Postgres. */
export interface ReportsReader {
  satisfaction(by: ReportGrouping, filter: ReportFilter): Promise<SatisfactionRow[]>;
  kpi(by: ReportGrouping, filter: ReportFilter): Promise<KpiRow[]>;
  complaints(filter: ReportFilter & { status?: ComplaintStatus }): Promise<ComplaintRow[]>;
  unanswered(filter: ReportFilter): Promise<UnansweredRow[]>;
  /** The units and procedures that appear in the data, for the filter's drop-downs. */
  dimensions(): Promise<{ units: { code: string; name: string }[]; procedures: { code: string; name: string }[] }>;
}

/** Staff move a complaint along: Mới tiếp nhận → Đang xử lý → Đã giải quyết. */
export interface ComplaintUpdater {
  /** False when no complaint has this reference. */
  setStatus(ref: string, status: ComplaintStatus): Promise<boolean>;
}
