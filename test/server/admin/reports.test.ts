import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMPLAINTS, KPI, SATISFACTION, UNANSWERED } from "../../fakes/fake-reports.ts";
import { adminApp, parseCsv } from "./support.ts";

type App = Awaited<ReturnType<typeof adminApp>>;

/** The visible text of an HTML fragment: tags dropped, entities decoded, spaces collapsed. */
function text(html: string): string {
  return html
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** The table's rows as visible cell texts. */
function tableRows(html: string): string[][] {
  const tbody = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...tbody.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((tr) => [...tr[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => text(c[1]!)));
}

const pct1 = (share: number) => Math.round(share * 1000) / 10;
const vn = (n: number, d = 0) => n.toLocaleString("vi-VN", { minimumFractionDigits: d, maximumFractionDigits: d });

describe("the report pages, CSV files and JSON API", () => {
  let t: App;
  let cookie: string;
  const get = (url: string) => t.app.inject({ url, headers: { cookie } });

  beforeAll(async () => {
    t = await adminApp();
    cookie = await t.login();
  });
  afterAll(() => t.app.close());
  beforeEach(() => {
    t.reports.calls.length = 0;
    t.reports.failWith = null;
  });

  describe("satisfaction", () => {
    it("asks the reader for the last 12 months up to the current month by default", async () => {
      const res = await get("/admin/bao-cao/hai-long");
      expect(res.statusCode).toBe(200);
      expect(t.reports.calls).toEqual([{ report: "satisfaction", by: "month", filter: { from: "2025-12", to: "2026-11" } }]);
      expect(res.body).toContain("Từ tháng 12/2025 đến tháng 11/2026 · theo tháng.");
    });

    it("passes the chosen grouping, period, unit and procedure through", async () => {
      await get("/admin/bao-cao/hai-long?by=unit&from=2026-01&to=2026-06&unit=000.00.12.H29&procedure=1.001456");
      expect(t.reports.calls).toEqual([{ report: "satisfaction", by: "unit", filter: { from: "2026-01", to: "2026-06", unitCode: "000.00.12.H29", procedureCode: "1.001456" } }]);
    });

    it("shows each row's numbers in the table, in Vietnamese number format", async () => {
      const res = await get("/admin/bao-cao/hai-long");
      const rows = tableRows(res.body);
      expect(rows).toEqual(
        SATISFACTION.month.map((r) => [r.label, vn(r.closed), vn(r.requested), vn(r.rated), vn(r.veryGood), vn(r.good), vn(r.dislike), `${vn(pct1(r.dislikeShare), 1)}%`, `${vn(pct1(r.responseRate), 1)}%`]),
      );
      expect(rows[1]).toEqual(["Tháng 10/2026", "1.250", "1.000", "333", "200", "100", "33", "9,9%", "33,3%"]);
      const headers = [...res.body.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
      expect(headers).toEqual(["Tháng", "Hồ sơ đã giải quyết", "Đã gửi đề nghị đánh giá", "Đã đánh giá", "Rất hài lòng", "Hài lòng", "Không hài lòng", "% không hài lòng", "Tỷ lệ phản hồi (%)"]);
    });

    it("draws a stacked bar per row with a legend and the percentages in words", async () => {
      const res = await get("/admin/bao-cao/hai-long");
      const svg = /<svg class="chart" role="img"[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? "";
      expect(svg).toMatch(/<title id="chart-hai-long-title">Mức độ hài lòng theo tháng, từ tháng 12\/2025 đến tháng 11\/2026<\/title>/);
      for (const level of ["Rất hài lòng", "Hài lòng", "Không hài lòng"]) expect(svg).toContain(`>${level}</text>`);
      expect(svg).toContain(">Tháng 9/2026</text>");
      expect(svg).toContain("Rất hài lòng 60,0% · Hài lòng 30,0% · Không hài lòng 10,0%");
      expect(svg).toContain(">80 đánh giá</text>");
      expect(svg).toContain("Chưa có đánh giá");
      expect(svg).toMatch(/<desc id="chart-hai-long-desc">Tháng 9\/2026: Rất hài lòng 60,0%/);
    });

    it("escapes names from the data", async () => {
      const res = await get("/admin/bao-cao/hai-long?by=unit");
      expect(res.body).not.toContain("<b>tỉnh</b>");
      expect(res.body).toContain("UBND xã Tân Hòa, huyện “Đông”, &lt;b&gt;tỉnh&lt;/b&gt;");
      expect(res.body).not.toMatch(/<script/);
    });

    it("links the CSV and the JSON for the same filter", async () => {
      const res = await get("/admin/bao-cao/hai-long?by=procedure&from=2026-02&to=2026-04&unit=000.00.12.H29");
      expect(res.body).toContain('<a href="/admin/bao-cao/hai-long.csv?by=procedure&amp;from=2026-02&amp;to=2026-04&amp;unit=000.00.12.H29" download>Tải CSV</a>');
      expect(res.body).toContain('href="/api/v1/reports/satisfaction?by=procedure&amp;from=2026-02&amp;to=2026-04&amp;unit=000.00.12.H29"');
      expect(res.body).toMatch(/<option value="procedure" selected>Thủ tục<\/option>/);
      expect(res.body).toMatch(/<option value="000.00.12.H29" selected>UBND xã Tân Hòa<\/option>/);
      expect(res.body).toMatch(/<input type="month" name="from" value="2026-02"/);
    });

    it("downloads the same rows as CSV: BOM, CRLF, Vietnamese headers, plain numbers", async () => {
      const res = await get("/admin/bao-cao/hai-long.csv");
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/csv; charset=utf-8");
      expect(res.headers["content-disposition"]).toBe('attachment; filename="bao-cao-hai-long-2025-12-2026-11.csv"');
      expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(res.body.endsWith("\r\n")).toBe(true);
      const [header, ...rows] = parseCsv(res.body.slice(1));
      expect(header).toEqual(["Mã tháng", "Tháng", "Hồ sơ đã giải quyết", "Đã gửi đề nghị đánh giá", "Đã đánh giá", "Rất hài lòng", "Hài lòng", "Không hài lòng", "% không hài lòng", "Tỷ lệ phản hồi (%)"]);
      expect(header!.every((h) => h === h.normalize("NFC"))).toBe(true);
      expect(rows).toEqual(
        SATISFACTION.month.map((r) => [r.key, r.label, r.closed, r.requested, r.rated, r.veryGood, r.good, r.dislike, pct1(r.dislikeShare), pct1(r.responseRate)].map(String)),
      );
      expect(rows[1]).toEqual(["2026-10", "Tháng 10/2026", "1250", "1000", "333", "200", "100", "33", "9.9", "33.3"]);
    });

    it("guards text cells that a spreadsheet would run as a formula, and quotes names with commas and quotes", async () => {
      const res = await get("/admin/bao-cao/hai-long.csv?by=unit");
      const rows = parseCsv(res.body.slice(1)).slice(1);
      expect(rows[0]!.slice(0, 2)).toEqual(["000.00.12.H29", "UBND xã Tân Hòa, huyện “Đông”, <b>tỉnh</b>"]);
      expect(rows[1]!.slice(0, 2)).toEqual(["'=cmd|' /C calc'!A0", "'=HYPERLINK(\"http://x\")"]);
      expect(res.body).toContain('"\'=HYPERLINK(""http://x"")"');
    });

    it("answers the JSON API with exactly the reader's rows", async () => {
      const res = await get("/api/v1/reports/satisfaction?by=unit&from=2026-01&to=2026-03");
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ filter: { from: "2026-01", to: "2026-03" }, by: "unit", rows: SATISFACTION.unit });
      expect(res.headers["cache-control"]).toBe("no-store");
    });
  });

  describe("KPI", () => {
    it("shows the formula in words, a bar per row and the table", async () => {
      const res = await get("/admin/bao-cao/chi-so");
      expect(res.body).toContain("Chỉ số hài lòng = 100% − (% hồ sơ trễ hạn + % hồ sơ có phản ánh hoặc không hài lòng)");
      const svg = /<svg class="chart" role="img"[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? "";
      expect(svg).toContain(">Tháng 10/2026</text>");
      expect(svg).toContain(">92,8%</text>");
      expect(svg).toContain(">Chưa có hồ sơ</text>");
      expect(tableRows(res.body)).toEqual([
        ["Tháng 10/2026", "1.250", "50", "4,0%", "40", "3,2%", "92,8%"],
        ["Tháng 11/2026", "0", "0", "0,0%", "0", "0,0%", "— không có"],
      ]);
    });

    it("downloads CSV with an empty KPI cell when nothing closed, and a negative KPI as a number", async () => {
      const month = parseCsv((await get("/admin/bao-cao/chi-so.csv")).body.slice(1));
      expect(month[0]).toEqual(["Mã tháng", "Tháng", "Hồ sơ đã giải quyết", "Hồ sơ trễ hạn", "% trễ hạn", "Hồ sơ có phản ánh hoặc không hài lòng", "% có phản ánh hoặc không hài lòng", "Chỉ số hài lòng (%)"]);
      expect(month.slice(1)).toEqual(KPI.month.map((r) => [r.key, r.label, r.closed, r.late, r.latePct, r.complaintOrDislike, r.complaintOrDislikePct, r.kpi ?? ""].map(String)));
      const unit = await get("/admin/bao-cao/chi-so.csv?by=unit");
      expect(unit.headers["content-disposition"]).toBe('attachment; filename="bao-cao-chi-so-2025-12-2026-11.csv"');
      expect(parseCsv(unit.body.slice(1))[1]!.at(-1)).toBe("-20");
    });

    it("answers the JSON API with exactly the reader's rows", async () => {
      const res = await get("/api/v1/reports/kpi?by=procedure");
      expect(res.json()).toEqual({ filter: { from: "2025-12", to: "2026-11" }, by: "procedure", rows: KPI.procedure });
    });
  });

  describe("complaints", () => {
    it("lists complaints with Vietnamese statuses and dates, the comment escaped", async () => {
      const res = await get("/admin/bao-cao/phan-anh");
      const rows = tableRows(res.body);
      expect(rows.map((r) => r[0])).toEqual(COMPLAINTS.map((c) => c.ref));
      expect(rows.map((r) => r[5])).toEqual(["Mới tiếp nhận", "Đang xử lý", "Đã giải quyết"]);
      expect(rows[0]![6]).toBe("22/11/2026 08:30");
      expect(rows[1]![2]).toBe("— không có");
      expect(res.body).not.toContain("<script>alert(1)</script>");
      expect(res.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
      expect(res.body).toContain("3 phản ánh");
      const svg = /<svg class="chart" role="img"[\s\S]*?<\/svg>/.exec(res.body)?.[0] ?? "";
      expect(svg).toContain(">Mới tiếp nhận</text>");
      expect(svg).toContain(">1 phản ánh</text>");
    });

    it("narrows by status", async () => {
      const res = await get("/admin/bao-cao/phan-anh?status=in_progress&from=2026-10&to=2026-11");
      expect(res.body).toContain("Từ tháng 10/2026 đến tháng 11/2026 · trạng thái “đang xử lý”: 1 phản ánh.");
      expect(t.reports.calls).toEqual([{ report: "complaints", filter: { from: "2026-10", to: "2026-11", status: "in_progress" } }]);
      expect(tableRows(res.body).map((r) => r[0])).toEqual(["PA-261120-0003"]);
      expect(res.body).toContain('href="/admin/bao-cao/phan-anh.csv?from=2026-10&amp;to=2026-11&amp;status=in_progress"');
    });

    it("keeps a comment with a comma, a quote and a line break whole in the CSV, and guards a leading =", async () => {
      const res = await get("/admin/bao-cao/phan-anh.csv");
      expect(res.headers["content-disposition"]).toBe('attachment; filename="bao-cao-phan-anh-2025-12-2026-11.csv"');
      const [header, ...rows] = parseCsv(res.body.slice(1));
      expect(header).toEqual(["Số phản ánh", "Mã hồ sơ", "Thủ tục", "Đơn vị", "Nội dung phản ánh", "Trạng thái", "Ngày tiếp nhận"]);
      expect(rows).toEqual([
        ["PA-261122-0007", "000.00.12.H29-261101-0042", "Đăng ký khai sinh", "UBND xã Tân Hòa", COMPLAINTS[0]!.comment, "Mới tiếp nhận", "2026-11-22 08:30"],
        ["PA-261120-0003", "000.00.12.H29-261015-0007", "", "", "'=1+1 thử công thức", "Đang xử lý", "2026-11-20 16:05"],
        ["PA-261001-0001", "H29.12-261001-0001", "Cấp đổi thẻ căn cước", "Công an xã Tân Hòa", "Đã được giải thích, cảm ơn.", "Đã giải quyết", "2026-10-02 00:00"],
      ]);
      expect(COMPLAINTS[0]!.comment).toMatch(/,[\s\S]*"[\s\S]*\n/);
    });

    it("answers the JSON API with the reader's rows, dates as ISO strings", async () => {
      const res = await get("/api/v1/reports/complaints?status=new");
      expect(res.json()).toEqual({ filter: { from: "2025-12", to: "2026-11", status: "new" }, by: null, rows: JSON.parse(JSON.stringify(COMPLAINTS.slice(0, 1))) });
    });
  });

  describe("unanswered questions", () => {
    const sorted = [UNANSWERED[1]!, UNANSWERED[2]!, UNANSWERED[0]!];

    it("lists the questions grouped, most asked first, with counts", async () => {
      const res = await get("/admin/bao-cao/cau-hoi-chua-tra-loi");
      expect(tableRows(res.body)).toEqual([
        ["xin giấy phép bắn pháo hoa, cưới, tết", "12", "20/11/2026 10:00"],
        ["-thủ tục gì để mở quán", "3", "21/11/2026 10:00"],
        ["đăng ký nuôi chó mèo ở đâu", "3", "02/11/2026 10:00"],
      ]);
      expect(res.body).toMatch(/<svg class="chart" role="img"[\s\S]*>12 lần<\/text>/);
    });

    it("names a one-month period plainly", async () => {
      const res = await get("/admin/bao-cao/cau-hoi-chua-tra-loi?from=2026-11&to=2026-11");
      expect(res.body).toContain("<p>Tháng 11/2026. Các câu hỏi giống nhau");
    });

    it("downloads them as CSV in the same order, a leading - guarded", async () => {
      const res = await get("/admin/bao-cao/cau-hoi-chua-tra-loi.csv?from=2026-11&to=2026-11");
      expect(res.headers["content-disposition"]).toBe('attachment; filename="bao-cao-cau-hoi-chua-tra-loi-2026-11-2026-11.csv"');
      const [header, ...rows] = parseCsv(res.body.slice(1));
      expect(header).toEqual(["Câu hỏi (lần hỏi gần nhất)", "Số lần hỏi", "Hỏi gần nhất", "Khóa nhóm"]);
      expect(rows.map((r) => [r[0]!.replace(/^'/, ""), Number(r[1]), r[3]])).toEqual(sorted.map((u) => [u.example, u.count, u.key]));
      expect(rows[1]![0]).toBe("'-thủ tục gì để mở quán");
    });

    it("answers the JSON API with the reader's rows, most asked first", async () => {
      const res = await get("/api/v1/reports/unanswered?from=2026-06");
      expect(t.reports.calls).toEqual([{ report: "unanswered", filter: { from: "2026-06", to: "2026-11" } }]);
      expect(res.json()).toEqual({ filter: { from: "2026-06", to: "2026-11" }, by: null, rows: JSON.parse(JSON.stringify(sorted)) });
    });
  });

  describe("bad parameters", () => {
    const BAD: [string, string][] = [
      ["by=week", "Cách nhóm (by) phải là month (theo tháng), unit (theo đơn vị) hoặc procedure (theo thủ tục)."],
      ["from=2026-13", "Tháng bắt đầu (from) phải có dạng NĂM-THÁNG, ví dụ 2026-01."],
      ["to=11/2026", "Tháng kết thúc (to) phải có dạng NĂM-THÁNG, ví dụ 2026-01."],
      ["from=2026-05&to=2026-04", "Tháng bắt đầu (from) phải trước hoặc trùng với tháng kết thúc (to)."],
      ["from=2023-01&to=2026-01", "Mỗi báo cáo xem được tối đa 36 tháng. Vui lòng chọn khoảng thời gian ngắn hơn."],
      ["status=closed", "Trạng thái (status) phải là new, in_progress hoặc resolved."],
      [`unit=${"x".repeat(101)}`, "Mã đơn vị (unit) dài quá 100 ký tự."],
      ["by=month&by=unit", "Cách nhóm (by) phải là month (theo tháng), unit (theo đơn vị) hoặc procedure (theo thủ tục)."],
    ];

    it.each(BAD)("answers the API's ?%s with 400 and a Vietnamese message", async (query, message) => {
      const res = await get(`/api/v1/reports/complaints?${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: { code: "request:invalid", message } });
      expect(t.reports.calls).toHaveLength(0);
    });

    it.each(BAD)("answers the page and CSV for ?%s with a 400 page, no stack trace", async (query, message) => {
      for (const path of ["/admin/bao-cao/phan-anh", "/admin/bao-cao/phan-anh.csv"]) {
        const res = await get(`${path}?${query}`);
        expect(res.statusCode).toBe(400);
        expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
        expect(res.body).toContain(message);
        expect(res.body).toContain('href="/admin/bao-cao/phan-anh">Xem báo cáo với bộ lọc mặc định');
        expect(res.body).not.toMatch(/at .*\.ts:\d+/);
      }
    });

    it("accepts exactly 36 months, and empty form fields as unset", async () => {
      expect((await get("/api/v1/reports/kpi?from=2023-12&to=2026-11")).statusCode).toBe(200);
      const res = await get("/api/v1/reports/kpi?by=&from=&to=&unit=&procedure=");
      expect(res.json().filter).toEqual({ from: "2025-12", to: "2026-11" });
    });
  });

  describe("a reader that fails", () => {
    it("gets a polite 500 page or JSON error, never a stack trace", async () => {
      t.reports.failWith = new Error("connection terminated at db.ts:42");
      const page = await get("/admin/bao-cao/hai-long");
      expect(page.statusCode).toBe(500);
      expect(page.body).toContain("Hệ thống đang gặp sự cố tạm thời");
      expect(page.body).not.toContain("db.ts");
      const api = await get("/api/v1/reports/kpi");
      expect(api.statusCode).toBe(500);
      expect(api.json()).toEqual({ error: { code: "server:unavailable", message: "Hệ thống đang gặp sự cố tạm thời. Xin vui lòng thử lại sau ít phút." } });
    });
  });
});
