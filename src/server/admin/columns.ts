import type { ComplaintRow, ComplaintStatus, KpiRow, ReportGrouping, SatisfactionRow, UnansweredRow } from "../../core/reports/types.ts";
import type { CsvCell } from "./csv.ts";
import { vietnamClock } from "../../core/vietnam-time.ts";
import { escapeHtml } from "../html.ts";

/**
 * The columns of each report, defined once: the page's table and the CSV download show the same
 * columns with the same headers, formatted for each (Vietnamese numbers on the page, plain in CSV).
 */

type Kind = "text" | "count" | "percent" | "date";

export interface Column<R> {
  header: string;
  kind: Kind;
  /** text: a string; count: an integer; percent: 0–100; date: a Date. null: no value. */
  value(row: R): string | number | Date | null;
  /** Only in the CSV (the page shows it another way). */
  csvOnly?: boolean;
}

export const STATUS_LABELS: Record<ComplaintStatus, string> = {
  new: "Mới tiếp nhận",
  in_progress: "Đang xử lý",
  resolved: "Đã giải quyết",
};

export const GROUPING_LABELS: Record<ReportGrouping, string> = {
  month: "Tháng",
  unit: "Đơn vị",
  procedure: "Thủ tục",
};

/** A 0–1 share as a percentage with one decimal (0.125 → 12.5). */
export function percent(share: number): number {
  return Math.round(share * 1000) / 10;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** A moment in Vietnam's time: "22/11/2026 08:30" (page) or "2026-11-22 08:30" (CSV, any Excel locale reads it). */
export function formatDate(date: Date, style: "page" | "csv"): string {
  const d = vietnamClock(date);
  const [y, m, day, h, min] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate()), pad(d.getUTCHours()), pad(d.getUTCMinutes())];
  return style === "page" ? `${day}/${m}/${y} ${h}:${min}` : `${y}-${m}-${day} ${h}:${min}`;
}

/** 1234 → "1.234"; 12.5 → "12,5" (Vietnamese marks). */
export function formatNumber(n: number, decimals = 0): string {
  return n.toLocaleString("vi-VN", { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** 12.5 → "12,5%" */
export function formatPercent(n: number): string {
  return `${formatNumber(n, 1)}%`;
}

export function csvCell<R>(column: Column<R>, row: R): CsvCell {
  const v = column.value(row);
  if (v === null) return null;
  if (v instanceof Date) return formatDate(v, "csv");
  return v;
}

/** The cell's HTML (escaped); an absent value is a dash that screen readers read as "không có". */
export function htmlCell<R>(column: Column<R>, row: R): string {
  const v = column.value(row);
  if (v === null) return `<span aria-hidden="true">—</span><span class="visually-hidden">không có</span>`;
  if (v instanceof Date) return escapeHtml(formatDate(v, "page"));
  if (typeof v === "number") return escapeHtml(column.kind === "percent" ? formatPercent(v) : formatNumber(v));
  return escapeHtml(v);
}

const keyColumn = <R extends { key: string }>(by: ReportGrouping): Column<R> => ({
  header: by === "month" ? "Mã tháng" : by === "unit" ? "Mã đơn vị" : "Mã thủ tục",
  kind: "text",
  value: (r) => r.key,
  csvOnly: true,
});

export function satisfactionColumns(by: ReportGrouping): Column<SatisfactionRow>[] {
  return [
    keyColumn(by),
    { header: GROUPING_LABELS[by], kind: "text", value: (r) => r.label },
    { header: "Hồ sơ đã giải quyết", kind: "count", value: (r) => r.closed },
    { header: "Đã gửi đề nghị đánh giá", kind: "count", value: (r) => r.requested },
    { header: "Đã đánh giá", kind: "count", value: (r) => r.rated },
    { header: "Rất hài lòng", kind: "count", value: (r) => r.veryGood },
    { header: "Hài lòng", kind: "count", value: (r) => r.good },
    { header: "Không hài lòng", kind: "count", value: (r) => r.dislike },
    { header: "% không hài lòng", kind: "percent", value: (r) => percent(r.dislikeShare) },
    { header: "Tỷ lệ phản hồi (%)", kind: "percent", value: (r) => percent(r.responseRate) },
  ];
}

export function kpiColumns(by: ReportGrouping): Column<KpiRow>[] {
  return [
    keyColumn(by),
    { header: GROUPING_LABELS[by], kind: "text", value: (r) => r.label },
    { header: "Hồ sơ đã giải quyết", kind: "count", value: (r) => r.closed },
    { header: "Hồ sơ trễ hạn", kind: "count", value: (r) => r.late },
    { header: "% trễ hạn", kind: "percent", value: (r) => r.latePct },
    { header: "Hồ sơ có phản ánh hoặc không hài lòng", kind: "count", value: (r) => r.complaintOrDislike },
    { header: "% có phản ánh hoặc không hài lòng", kind: "percent", value: (r) => r.complaintOrDislikePct },
    { header: "Chỉ số hài lòng (%)", kind: "percent", value: (r) => r.kpi },
  ];
}

export const complaintColumns: Column<ComplaintRow>[] = [
  { header: "Số phản ánh", kind: "text", value: (r) => r.ref },
  { header: "Mã hồ sơ", kind: "text", value: (r) => r.dossierCode },
  { header: "Thủ tục", kind: "text", value: (r) => r.procedureName },
  { header: "Đơn vị", kind: "text", value: (r) => r.unitName },
  { header: "Nội dung phản ánh", kind: "text", value: (r) => r.comment },
  { header: "Trạng thái", kind: "text", value: (r) => STATUS_LABELS[r.status] },
  { header: "Ngày tiếp nhận", kind: "date", value: (r) => r.createdAt },
];

export const unansweredColumns: Column<UnansweredRow>[] = [
  { header: "Câu hỏi (lần hỏi gần nhất)", kind: "text", value: (r) => r.example },
  { header: "Số lần hỏi", kind: "count", value: (r) => r.count },
  { header: "Hỏi gần nhất", kind: "date", value: (r) => r.lastAskedAt },
  { header: "Khóa nhóm", kind: "text", value: (r) => r.key, csvOnly: true },
];

/** Unanswered questions, most asked first (then the most recently asked). */
export function sortUnanswered(rows: readonly UnansweredRow[]): UnansweredRow[] {
  return [...rows].sort((a, b) => b.count - a.count || b.lastAskedAt.getTime() - a.lastAskedAt.getTime());
}
