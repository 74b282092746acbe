import { z } from "zod";
import type { ComplaintStatus, ReportFilter, ReportGrouping } from "../../core/reports/types.ts";
import { addMonths, currentMonth, monthIndex } from "../../core/vietnam-time.ts";

/** The longest period one report covers, in months. */
export const MAX_PERIOD_MONTHS = 36;
/** The default period: this many months, ending with the current one. */
export const DEFAULT_PERIOD_MONTHS = 12;

/** A report request after validation: what the reader is asked, and the query that asked it. */
export interface ReportQuery {
  by: ReportGrouping;
  filter: ReportFilter;
  status?: ComplaintStatus;
}

const MONTH = /^(20\d{2})-(0[1-9]|1[0-2])$/;
const month = (name: string, param: string) =>
  z.string({ error: `${name} (${param}) phải có dạng NĂM-THÁNG, ví dụ 2026-01.` }).regex(MONTH, `${name} (${param}) phải có dạng NĂM-THÁNG, ví dụ 2026-01.`);
const code = (name: string, param: string) =>
  z
    .string({ error: `${name} (${param}) không hợp lệ.` })
    .max(100, `${name} (${param}) dài quá 100 ký tự.`)
    .regex(/^[^\u0000-\u001f]*$/, `${name} (${param}) không hợp lệ.`);

const Query = z.object(
  {
    by: z.enum(["month", "unit", "procedure"], { error: "Cách nhóm (by) phải là month (theo tháng), unit (theo đơn vị) hoặc procedure (theo thủ tục)." }).optional(),
    from: month("Tháng bắt đầu", "from").optional(),
    to: month("Tháng kết thúc", "to").optional(),
    unit: code("Mã đơn vị", "unit").optional(),
    procedure: code("Mã thủ tục", "procedure").optional(),
    status: z.enum(["new", "in_progress", "resolved"], { error: "Trạng thái (status) phải là new, in_progress hoặc resolved." }).optional(),
  },
  { error: "Yêu cầu không hợp lệ." },
);


/**
 * Validates a report's query string. Empty values (an untouched form field) count as absent.
 * Default period: the last 12 months up to the current one; `from` after `to` or more than 36
 * months is refused. Messages are Vietnamese and name the parameter.
 */
export function parseReportQuery(raw: unknown, now: Date): { ok: true; value: ReportQuery } | { ok: false; message: string } {
  const cleaned = raw && typeof raw === "object" ? Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== "")) : {};
  const parsed = Query.safeParse(cleaned);
  if (!parsed.success) return { ok: false, message: parsed.error.issues[0]?.message ?? "Yêu cầu không hợp lệ." };
  const q = parsed.data;
  const to = q.to ?? (q.from && monthIndex(q.from) > monthIndex(currentMonth(now)) ? q.from : currentMonth(now));
  const from = q.from ?? addMonths(to, -(DEFAULT_PERIOD_MONTHS - 1));
  if (monthIndex(from) > monthIndex(to)) {
    return { ok: false, message: "Tháng bắt đầu (from) phải trước hoặc trùng với tháng kết thúc (to)." };
  }
  if (monthIndex(to) - monthIndex(from) + 1 > MAX_PERIOD_MONTHS) {
    return { ok: false, message: `Mỗi báo cáo xem được tối đa ${MAX_PERIOD_MONTHS} tháng. Vui lòng chọn khoảng thời gian ngắn hơn.` };
  }
  const unit = q.unit?.trim();
  const procedure = q.procedure?.trim();
  const filter: ReportFilter = { from, to, ...(unit ? { unitCode: unit } : {}), ...(procedure ? { procedureCode: procedure } : {}) };
  return { ok: true, value: { by: q.by ?? "month", filter, ...(q.status ? { status: q.status } : {}) } };
}

/** The query string that asks for the same report (for the CSV and JSON links). */
export function queryString(q: ReportQuery, options: { by?: boolean; status?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (options.by !== false) params.set("by", q.by);
  params.set("from", q.filter.from);
  params.set("to", q.filter.to);
  if (q.filter.unitCode) params.set("unit", q.filter.unitCode);
  if (q.filter.procedureCode) params.set("procedure", q.filter.procedureCode);
  if (options.status && q.status) params.set("status", q.status);
  return params.toString();
}

