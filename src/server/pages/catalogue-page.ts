import type { ProcedureListItem } from "../../core/ports.ts";
import { escapeHtml, page } from "../html.ts";

const LEVEL_LABELS: Record<string, string> = {
  ministry: "Cấp bộ",
  province: "Cấp tỉnh",
  commune: "Cấp xã",
  other: "Cơ quan khác",
};

export interface CataloguePageModel {
  query: string;
  items: ProcedureListItem[];
  total: number;
  page: number;
  hasNext: boolean;
  notice?: string;
}

/** The catalogue list and name search, rendered on the server: works without JavaScript. */
export function renderCataloguePage(m: CataloguePageModel): string {
  const heading = m.query
    ? `<p role="status">${m.items.length === 0 ? "Không tìm thấy thủ tục nào có tên chứa" : `Các thủ tục có tên chứa`} “${escapeHtml(m.query)}”.</p>`
    : `<p>Danh mục hiện có ${m.total.toLocaleString("vi-VN")} thủ tục. Nhập tên thủ tục (có dấu hoặc không dấu) để tìm.</p>`;
  const items = m.items
    .map(
      (p) => `<li>
  <div><strong>${escapeHtml(p.name)}</strong></div>
  <div class="meta">Mã <span class="code">${escapeHtml(p.code)}</span>${p.level.length ? ` · ${escapeHtml(p.level.map((l) => LEVEL_LABELS[l] ?? l).join(", "))}` : ""}${p.field ? ` · ${escapeHtml(p.field)}` : ""}${p.sourceUrl ? ` · <a href="${escapeHtml(p.sourceUrl)}" rel="noopener noreferrer">Xem trên Cổng Dịch vụ công quốc gia</a>` : ""}</div>
</li>`,
    )
    .join("\n");
  const q = m.query ? `&q=${encodeURIComponent(m.query)}` : "";
  const nav = `<nav class="pages" aria-label="Trang">
  ${m.page > 1 ? `<a href="/thu-tuc?page=${m.page - 1}${q}">← Trang trước</a>` : "<span></span>"}
  ${m.hasNext ? `<a href="/thu-tuc?page=${m.page + 1}${q}">Trang sau →</a>` : ""}
</nav>`;
  return page(
    m.query ? `Tìm “${m.query}” – Thủ tục hành chính` : "Danh mục thủ tục hành chính",
    `<h1>Danh mục thủ tục hành chính</h1>
<form method="get" action="/thu-tuc" role="search">
  <label for="q" class="visually-hidden">Tên thủ tục</label>
  <input type="search" id="q" name="q" value="${escapeHtml(m.query)}" maxlength="200" placeholder="Ví dụ: đăng ký khai sinh, cap doi can cuoc">
  <button type="submit">Tìm</button>
</form>
${m.notice ? `<p role="alert">${escapeHtml(m.notice)}</p>` : ""}
${heading}
<ol class="results">
${items}
</ol>
${nav}`,
  );
}
