import type { ReportGrouping } from "../../core/reports/types.ts";
import { escapeHtml, page } from "../html.ts";
import { htmlCell, type Column, GROUPING_LABELS, STATUS_LABELS } from "./columns.ts";
import type { ReportQuery } from "./query.ts";

/** The admin pages' frame, login and notices; the reports themselves are in report-pages.ts. */

export const LOGIN_PATH = "/admin/dang-nhap";
export const LOGOUT_PATH = "/admin/dang-xuat";

/** The four reports: where each page lives, its JSON twin, and its CSV file name. */
export const REPORTS = {
  satisfaction: { path: "/admin/bao-cao/hai-long", api: "/api/v1/reports/satisfaction", file: "hai-long", nav: "Mức độ hài lòng" },
  kpi: { path: "/admin/bao-cao/chi-so", api: "/api/v1/reports/kpi", file: "chi-so", nav: "Chỉ số hài lòng" },
  complaints: { path: "/admin/bao-cao/phan-anh", api: "/api/v1/reports/complaints", file: "phan-anh", nav: "Phản ánh" },
  unanswered: { path: "/admin/bao-cao/cau-hoi-chua-tra-loi", api: "/api/v1/reports/unanswered", file: "cau-hoi-chua-tra-loi", nav: "Câu hỏi chưa trả lời" },
} as const;
export type ReportName = keyof typeof REPORTS;

const HOME = { href: "/admin", label: "Quản trị · Trợ lý thủ tục hành chính" };

const ADMIN_CSS = `  main { max-width: 72rem; }
  nav.admin { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: center; border-bottom: 1px solid var(--line); padding-bottom: 0.5rem; margin-bottom: 1rem; }
  nav.admin a[aria-current=page] { font-weight: 700; color: var(--ink); text-decoration: none; }
  nav.admin form { margin: 0 0 0 auto; align-items: center; }
  nav.admin form button { background: #fff; color: var(--brand); border: 1px solid var(--brand); padding: 0.3rem 0.8rem; }
  h1 { font-size: 1.5rem; margin: 0.5rem 0; }
  form.filters { align-items: flex-end; background: #f7f7f7; padding: 0.75rem; border-radius: 4px; }
  form.filters label { display: flex; flex-direction: column; font-size: 0.9rem; gap: 0.2rem; }
  form.filters select, form.filters input { font: inherit; padding: 0.45rem; border: 1px solid #767676; border-radius: 4px; max-width: 18rem; background: #fff; }
  .downloads { margin: 0 0 1rem; }
  .downloads a { font-weight: 600; }
  .chart { display: block; margin: 0.5rem 0 1.5rem; }
  .table-wrap { overflow-x: auto; margin-bottom: 1.5rem; position: relative; }
  table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
  caption { text-align: left; font-weight: 600; padding: 0.5rem 0; }
  th, td { border-bottom: 1px solid var(--line); padding: 0.45rem 0.5rem; text-align: left; vertical-align: top; }
  thead th { background: #f3f4f6; font-size: 0.9rem; }
  .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  .long { min-width: 16rem; white-space: pre-wrap; overflow-wrap: anywhere; font-weight: normal; }
  .name { min-width: 9rem; }
  .nowrap { white-space: nowrap; }
  .formula { background: #f3f4f6; padding: 0.6rem 0.8rem; border-left: 4px solid var(--brand); }
  .notice { padding: 0.6rem 0.8rem; border: 1px solid #b35c00; background: #fff4e5; border-radius: 4px; }
  .login { max-width: 24rem; }
  .login form { flex-direction: column; gap: 0.75rem; }
  .login label { display: flex; flex-direction: column; gap: 0.25rem; font-weight: 600; }
  .login input { font: inherit; padding: 0.6rem; border: 1px solid #767676; border-radius: 4px; }
`;

/** A page of the admin area: the shared frame with the admin header, the report menu and "Đăng xuất". */
export function adminPage(o: { title: string; user: string | null; current?: ReportName; body: string }): string {
  const nav = o.user
    ? `<nav class="admin" aria-label="Báo cáo">
${(Object.keys(REPORTS) as ReportName[]).map((name) => `  <a href="${REPORTS[name].path}"${name === o.current ? ' aria-current="page"' : ""}>${escapeHtml(REPORTS[name].nav)}</a>`).join("\n")}
  <form method="post" action="${LOGOUT_PATH}"><span class="meta">${escapeHtml(o.user)}</span><button type="submit">Đăng xuất</button></form>
</nav>
`
    : "";
  return page(`${o.title} – Quản trị`, `${nav}${o.body}`, { css: ADMIN_CSS, home: HOME });
}

/** The login form; `message` says why the last attempt failed, `notice` is a neutral remark. */
export function renderLoginPage(o: { username?: string; next?: string; message?: string; notice?: string } = {}): string {
  return adminPage({
    title: "Đăng nhập",
    user: null,
    body: `<div class="login">
<h1>Đăng nhập trang quản trị</h1>
<p>Dành cho cán bộ bộ phận một cửa xem báo cáo mức độ hài lòng, phản ánh và câu hỏi của người dân.</p>
${o.notice ? `<p role="status">${escapeHtml(o.notice)}</p>` : ""}${o.message ? `<p class="notice" role="alert">${escapeHtml(o.message)}</p>` : ""}
<form method="post" action="${LOGIN_PATH}">
  <label>Tên đăng nhập <input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="64" required value="${escapeHtml(o.username ?? "")}"></label>
  <label>Mật khẩu <input type="password" name="password" autocomplete="current-password" maxlength="1024" required></label>
  ${o.next ? `<input type="hidden" name="next" value="${escapeHtml(o.next)}">` : ""}
  <button type="submit">Đăng nhập</button>
</form>
</div>`,
  });
}

/** Shown with HTTP 429 once an address has used up its login attempts. */
export function renderLockedOutPage(minutes: number): string {
  return adminPage({
    title: "Tạm khóa đăng nhập",
    user: null,
    body: `<div class="login">
<h1>Tạm dừng đăng nhập</h1>
<p class="notice" role="alert">Bạn đã thử đăng nhập quá nhiều lần. Để bảo vệ tài khoản, xin vui lòng đợi khoảng ${minutes} phút rồi thử lại.</p>
<p>Nếu quên mật khẩu, xin liên hệ tổ công nghệ thông tin của đơn vị để được cấp lại.</p>
</div>`,
  });
}

/** A short page for a refused or failed request: a heading, the reason, and a way on. */
export function renderAdminNotice(o: { title: string; message: string; user: string | null; current?: ReportName; link?: { href: string; label: string } }): string {
  return adminPage({
    title: o.title,
    user: o.user,
    ...(o.current ? { current: o.current } : {}),
    body: `<h1>${escapeHtml(o.title)}</h1>
<p class="notice" role="alert">${escapeHtml(o.message)}</p>
${o.link ? `<p><a href="${escapeHtml(o.link.href)}">${escapeHtml(o.link.label)}</a></p>` : ""}`,
  });
}

export interface Dimensions {
  units: { code: string; name: string }[];
  procedures: { code: string; name: string }[];
}

function select(name: string, label: string, options: { value: string; label: string }[], selected: string | undefined): string {
  const opts = options.map((o) => `<option value="${escapeHtml(o.value)}"${o.value === (selected ?? "") ? " selected" : ""}>${escapeHtml(o.label)}</option>`);
  return `<label>${escapeHtml(label)} <select name="${name}">${opts.join("")}</select></label>`;
}

/** The report's filter (GET, so every filtered view is a link that can be shared or bookmarked). */
export function filterForm(o: { action: string; query: ReportQuery; dims: Dimensions; by?: boolean; units?: boolean; status?: boolean }): string {
  const f = o.query.filter;
  const fields: string[] = [];
  if (o.by !== false) {
    const groupings: ReportGrouping[] = ["month", "unit", "procedure"];
    fields.push(select("by", "Xem theo", groupings.map((g) => ({ value: g, label: GROUPING_LABELS[g] })), o.query.by));
  }
  fields.push(`<label>Từ tháng <input type="month" name="from" value="${escapeHtml(f.from)}" min="2000-01" pattern="\\d{4}-\\d{2}" placeholder="2026-01" required></label>`);
  fields.push(`<label>Đến tháng <input type="month" name="to" value="${escapeHtml(f.to)}" min="2000-01" pattern="\\d{4}-\\d{2}" placeholder="2026-12" required></label>`);
  if (o.units !== false) {
    // A code in the query that the data does not list is kept, so the form shows what is applied.
    const withCurrent = (list: { code: string; name: string }[], code: string | undefined) =>
      code && !list.some((x) => x.code === code) ? [...list, { code, name: code }] : list;
    fields.push(select("unit", "Đơn vị", [{ value: "", label: "Tất cả đơn vị" }, ...withCurrent(o.dims.units, f.unitCode).map((u) => ({ value: u.code, label: u.name }))], f.unitCode));
    fields.push(select("procedure", "Thủ tục", [{ value: "", label: "Tất cả thủ tục" }, ...withCurrent(o.dims.procedures, f.procedureCode).map((p) => ({ value: p.code, label: p.name }))], f.procedureCode));
  }
  if (o.status) {
    fields.push(select("status", "Trạng thái", [{ value: "", label: "Tất cả" }, ...(["new", "in_progress", "resolved"] as const).map((s) => ({ value: s, label: STATUS_LABELS[s] }))], o.query.status));
  }
  return `<form method="get" action="${escapeHtml(o.action)}" class="filters" aria-label="Lọc báo cáo">
${fields.map((x) => `  ${x}`).join("\n")}
  <button type="submit">Xem báo cáo</button>
</form>`;
}

/** A table of rows by the report's columns (CSV-only columns left out); numbers right-aligned. */
export function reportTable<R>(caption: string, columns: Column<R>[], rows: readonly R[], options: { classes?: Record<string, "long" | "name" | "nowrap"> } = {}): string {
  const shown = columns.filter((c) => !c.csvOnly);
  const numeric = (c: Column<R>) => c.kind === "count" || c.kind === "percent";
  const head = shown.map((c) => `<th scope="col"${numeric(c) ? ' class="num"' : ""}>${escapeHtml(c.header)}</th>`).join("");
  const body = rows
    .map((row) => {
      const cells = shown.map((c, i) => {
        const named = options.classes?.[c.header];
        const cls = numeric(c) ? ' class="num"' : named ? ` class="${named}"` : "";
        return i === 0 ? `<th scope="row"${cls}>${htmlCell(c, row)}</th>` : `<td${cls}>${htmlCell(c, row)}</td>`;
      });
      return `<tr>${cells.join("")}</tr>`;
    })
    .join("\n");
  return `<div class="table-wrap" role="region" aria-label="${escapeHtml(caption)}" tabindex="0">
<table>
<caption>${escapeHtml(caption)}</caption>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
</div>`;
}
