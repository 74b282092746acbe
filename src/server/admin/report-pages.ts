import type { ComplaintRow, KpiRow, SatisfactionRow, UnansweredRow } from "../../core/reports/types.ts";
import { escapeHtml } from "../html.ts";
import { barChart, stackedBarChart, type ChartSeries } from "./charts.ts";
import { complaintColumns, formatNumber, formatPercent, GROUPING_LABELS, kpiColumns, satisfactionColumns, STATUS_LABELS, unansweredColumns } from "./columns.ts";
import { adminPage, filterForm, REPORTS, reportTable, type Dimensions, type ReportName } from "./pages.ts";
import { monthLabel } from "../../core/vietnam-time.ts";
import { queryString, type ReportQuery } from "./query.ts";

/** The four report pages: heading, filter, download links, a chart and the table, all server-rendered. */

export const KPI_FORMULA = "Chỉ số hài lòng = 100% − (% hồ sơ trễ hạn + % hồ sơ có phản ánh hoặc không hài lòng)";

/** The three levels, darkest first; "Không hài lòng" is hatched too, so it stands out without colour. */
export const SATISFACTION_SERIES: ChartSeries[] = [
  { name: "Rất hài lòng", fill: "#116329", text: "#ffffff" },
  { name: "Hài lòng", fill: "#9fd8ae", text: "#0b2e17" },
  { name: "Không hài lòng", fill: "#b42318", text: "#ffffff", hatch: true },
];

export interface PageInput<R> {
  user: string;
  query: ReportQuery;
  rows: readonly R[];
  dims: Dimensions;
}

function period(q: ReportQuery): string {
  const { from, to } = q.filter;
  return from === to ? monthLabel(from) : `từ ${monthLabel(from)} đến ${monthLabel(to)}`;
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** "Tải CSV" (same path + .csv) and the JSON address, both with the query shown. */
function downloads(name: ReportName, qs: string): string {
  const r = REPORTS[name];
  return `<p class="downloads"><a href="${escapeHtml(`${r.path}.csv?${qs}`)}" download>Tải CSV</a> · <a href="${escapeHtml(`${r.api}?${qs}`)}">Dữ liệu JSON</a></p>`;
}

function narrowing(q: ReportQuery, dims: Dimensions): string {
  const unit = q.filter.unitCode ? dims.units.find((u) => u.code === q.filter.unitCode)?.name ?? q.filter.unitCode : null;
  const proc = q.filter.procedureCode ? dims.procedures.find((p) => p.code === q.filter.procedureCode)?.name ?? q.filter.procedureCode : null;
  return [unit ? `đơn vị ${unit}` : "", proc ? `thủ tục ${proc}` : ""].filter(Boolean).join(", ");
}

function intro(q: ReportQuery, dims: Dimensions, grouped: boolean, extra = ""): string {
  const only = narrowing(q, dims);
  return `<p>${escapeHtml(capitalized(period(q)))}${grouped ? ` · theo ${escapeHtml(GROUPING_LABELS[q.by].toLowerCase())}` : ""}${only ? ` · chỉ ${escapeHtml(only)}` : ""}${escapeHtml(extra)}.</p>`;
}

const EMPTY = `<p class="notice" role="status">Không có số liệu trong khoảng thời gian và phạm vi đã chọn.</p>`;

export function renderSatisfactionPage(m: PageInput<SatisfactionRow>): string {
  const qs = queryString(m.query);
  const chart = stackedBarChart({
    id: "chart-hai-long",
    title: `Mức độ hài lòng theo ${GROUPING_LABELS[m.query.by].toLowerCase()}, ${period(m.query)}`,
    series: SATISFACTION_SERIES,
    rows: m.rows.map((r) => ({ label: r.label, note: `${formatNumber(r.rated)} đánh giá`, values: [r.veryGood, r.good, r.dislike] })),
    emptyRowText: "Chưa có đánh giá",
  });
  return adminPage({
    title: "Mức độ hài lòng",
    user: m.user,
    current: "satisfaction",
    body: `<h1>Mức độ hài lòng của người dân</h1>
${intro(m.query, m.dims, true)}
${filterForm({ action: REPORTS.satisfaction.path, query: m.query, dims: m.dims })}
${downloads("satisfaction", qs)}
${m.rows.length === 0 ? EMPTY : `<p class="meta">Mỗi thanh là 100% số phiếu đánh giá của dòng đó. Tỷ lệ phản hồi = số phiếu đánh giá ÷ số đề nghị đánh giá đã gửi.</p>
${chart}
${reportTable("Bảng số liệu mức độ hài lòng", satisfactionColumns(m.query.by), m.rows)}`}`,
  });
}

export function renderKpiPage(m: PageInput<KpiRow>): string {
  const qs = queryString(m.query);
  const chart = barChart({
    id: "chart-chi-so",
    title: `Chỉ số hài lòng theo ${GROUPING_LABELS[m.query.by].toLowerCase()}, ${period(m.query)}`,
    rows: m.rows.map((r) => ({ label: r.label, value: r.kpi, valueText: r.kpi === null ? "Chưa có hồ sơ" : formatPercent(r.kpi) })),
    max: 100,
  });
  return adminPage({
    title: "Chỉ số hài lòng",
    user: m.user,
    current: "kpi",
    body: `<h1>Chỉ số hài lòng về sự phục vụ hành chính</h1>
${intro(m.query, m.dims, true)}
<p class="formula">${escapeHtml(KPI_FORMULA)}. Cả hai tỷ lệ tính trên số hồ sơ đã giải quyết trong tháng.</p>
${filterForm({ action: REPORTS.kpi.path, query: m.query, dims: m.dims })}
${downloads("kpi", qs)}
${m.rows.length === 0 ? EMPTY : `${chart}
${reportTable("Bảng số liệu chỉ số hài lòng", kpiColumns(m.query.by), m.rows)}`}`,
  });
}

/** The form staff use to move a complaint along (posted to COMPLAINT_STATUS_PATH). */
function complaintStatusForm(): string {
  const options = (["new", "in_progress", "resolved"] as const).map((s) => `<option value="${s}">${escapeHtml(STATUS_LABELS[s])}</option>`).join("");
  return `<form method="post" action="/admin/bao-cao/phan-anh/trang-thai" class="filters">
<h2>Cập nhật trạng thái phản ánh</h2>
<label>Số phản ánh <input name="ref" required pattern="PA-[0-9]{6}-[0-9]{4,}" placeholder="PA-261122-0007" autocomplete="off"></label>
<label>Trạng thái mới <select name="status">${options}</select></label>
<button type="submit">Cập nhật</button>
</form>`;
}

export function renderComplaintsPage(m: PageInput<ComplaintRow>, options: { statusForm?: boolean } = {}): string {
  const qs = queryString(m.query, { by: false, status: true });
  const counts = (["new", "in_progress", "resolved"] as const).map((s) => ({ status: s, n: m.rows.filter((r) => r.status === s).length }));
  const chart = barChart({
    id: "chart-phan-anh",
    title: `Số phản ánh theo trạng thái, ${period(m.query)}`,
    rows: counts.map((c) => ({ label: STATUS_LABELS[c.status], value: c.n, valueText: `${formatNumber(c.n)} phản ánh` })),
    max: Math.max(1, ...counts.map((c) => c.n)),
    fill: "#a3120f",
  });
  const status = m.query.status ? ` · trạng thái “${STATUS_LABELS[m.query.status].toLowerCase()}”` : "";
  return adminPage({
    title: "Phản ánh của người dân",
    user: m.user,
    current: "complaints",
    body: `<h1>Phản ánh của người dân</h1>
${intro(m.query, m.dims, false, `${status}: ${formatNumber(m.rows.length)} phản ánh`)}
${filterForm({ action: REPORTS.complaints.path, query: m.query, dims: m.dims, by: false, status: true })}
${downloads("complaints", qs)}
${m.rows.length === 0 ? EMPTY : `${m.query.status ? "" : chart}
<p class="meta">Số điện thoại và số giấy tờ trong nội dung đã được che bớt.</p>
${reportTable("Danh sách phản ánh", complaintColumns, m.rows, {
  classes: { "Số phản ánh": "nowrap", "Mã hồ sơ": "nowrap", "Thủ tục": "name", "Đơn vị": "name", "Nội dung phản ánh": "long", "Trạng thái": "nowrap", "Ngày tiếp nhận": "nowrap" },
})}
${options.statusForm ? complaintStatusForm() : ""}`}`,
  });
}

export function renderUnansweredPage(m: PageInput<UnansweredRow>): string {
  const qs = queryString(m.query, { by: false });
  const top = m.rows.slice(0, 10);
  const chart = barChart({
    id: "chart-cau-hoi",
    title: `${top.length} câu hỏi chưa trả lời được hỏi nhiều nhất, ${period(m.query)}`,
    rows: top.map((r) => ({ label: r.example, value: r.count, valueText: `${formatNumber(r.count)} lần` })),
    max: Math.max(1, ...top.map((r) => r.count)),
    fill: "#6d28d9",
  });
  return adminPage({
    title: "Câu hỏi chưa trả lời",
    user: m.user,
    current: "unanswered",
    body: `<h1>Câu hỏi trợ lý chưa trả lời được</h1>
<p>${escapeHtml(capitalized(period(m.query)))}. Các câu hỏi giống nhau (khác dấu, hoa thường, dấu câu) được gộp thành một dòng, hỏi nhiều nhất đứng đầu: gợi ý cho tổ cập nhật danh mục thủ tục.</p>
${filterForm({ action: REPORTS.unanswered.path, query: m.query, dims: m.dims, by: false, units: false })}
${downloads("unanswered", qs)}
${m.rows.length === 0 ? EMPTY : `${chart}
${reportTable("Danh sách câu hỏi chưa trả lời", unansweredColumns, m.rows, { classes: { "Câu hỏi (lần hỏi gần nhất)": "long", "Hỏi gần nhất": "nowrap" } })}`}`,
  });
}
