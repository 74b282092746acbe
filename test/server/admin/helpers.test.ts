import { describe, expect, it } from "vitest";
import { barChart, stackedBarChart } from "../../../src/server/admin/charts.ts";
import { toCsv } from "../../../src/server/admin/csv.ts";
import { addMonths, currentMonth } from "../../../src/core/vietnam-time.ts";
import { parseReportQuery } from "../../../src/server/admin/query.ts";
import { parseCsv } from "./support.ts";

describe("toCsv", () => {
  it("writes a BOM, CRLF line ends, and quotes only fields that need it (RFC 4180)", () => {
    const csv = toCsv(["Tên", "Số"], [["a,b", 1], ['nói "có"', 2.5], ["dòng 1\ndòng 2", null], ["cr\rhere", -3]]);
    expect(csv).toBe('\uFEFFTên,Số\r\n"a,b",1\r\n"nói ""có""",2.5\r\n"dòng 1\ndòng 2",\r\n"cr\rhere",-3\r\n');
    expect(parseCsv(csv.slice(1))).toEqual([["Tên", "Số"], ["a,b", "1"], ['nói "có"', "2.5"], ["dòng 1\ndòng 2", ""], ["cr\rhere", "-3"]]);
  });

  it("puts a ' before text a spreadsheet would run as a formula; numbers are left alone", () => {
    const rows = [["=SUM(A1:A9)"], ["+84912"], ["-1"], ["@cmd"], ["\tx"], ["\rx"], ["a=b"], ["'quoted"]];
    const parsed = parseCsv(toCsv(["x"], rows).slice(1)).slice(1).map((r) => r[0]);
    expect(parsed).toEqual(["'=SUM(A1:A9)", "'+84912", "'-1", "'@cmd", "'\tx", "'\rx", "a=b", "'quoted"]);
    expect(toCsv(["n"], [[-20]])).toBe("\uFEFFn\r\n-20\r\n");
  });

  it("writes nothing for missing or non-finite numbers", () => {
    expect(toCsv(["a", "b", "c"], [[undefined, Number.NaN, Number.POSITIVE_INFINITY]])).toBe("\uFEFFa,b,c\r\n,,\r\n");
  });
});

describe("charts", () => {
  const series = [
    { name: "Rất hài lòng", fill: "#116329", text: "#fff" },
    { name: "Hài lòng", fill: "#9fd8ae", text: "#000" },
    { name: "Không hài lòng", fill: "#b42318", text: "#fff", hatch: true },
  ];

  it("draws stacked bars as an accessible image: role, title, desc, legend and labels as text", () => {
    const svg = stackedBarChart({ id: "c1", title: "Mức độ <hài lòng>", series, rows: [{ label: "Xã A & B", note: "10 đánh giá", values: [5, 3, 2] }, { label: "Xã C", values: [0, 0, 0] }], emptyRowText: "Chưa có đánh giá" });
    expect(svg).toMatch(/^<svg class="chart" role="img" aria-labelledby="c1-title c1-desc"/);
    expect(svg).toContain('<title id="c1-title">Mức độ &lt;hài lòng&gt;</title>');
    expect(svg).toContain('<desc id="c1-desc">Xã A &amp; B: Rất hài lòng 50,0% · Hài lòng 30,0% · Không hài lòng 20,0% (10 đánh giá); Xã C: Chưa có đánh giá</desc>');
    expect(svg).toContain(">Xã A &amp; B</text>");
    expect(svg).toContain(">50,0%</text>");
    expect(svg).toContain('fill="url(#c1-hatch)"');
    expect(svg).not.toMatch(/<script|on[a-z]+=/i);
    // Widths add up to the full bar.
    const widths = [...svg.matchAll(/<rect x="[\d.]+" y="55" width="([\d.]+)" height="28" fill="#/g)].map((m) => Number(m[1]));
    expect(widths).toHaveLength(3);
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(420, 0);
  });

  it("truncates long labels on the chart but keeps them whole in the tooltip", () => {
    const label = "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh) cho người dưới 14 tuổi";
    const svg = barChart({ id: "c2", title: "t", rows: [{ label, value: 50, valueText: "50,0%" }], max: 100 });
    expect(svg).toContain(`<title>${label}: 50,0%</title>`);
    expect(svg).toMatch(/>Cấp hộ chiếu phổ thông[^<]*…<\/text>/);
    expect(svg).toContain('width="210.0" height="22"');
  });

  it("draws no bar for a missing or negative value, but writes its text", () => {
    const svg = barChart({ id: "c3", title: "t", rows: [{ label: "A", value: null, valueText: "Chưa có hồ sơ" }, { label: "B", value: -20, valueText: "-20,0%" }], max: 100 });
    expect(svg).toContain(">Chưa có hồ sơ</text>");
    expect(svg).toContain(">-20,0%</text>");
    expect(svg.match(/fill="#1d4ed8"/g)).toBeNull();
  });
});

describe("report query parameters", () => {
  const now = new Date("2026-11-30T18:00:00Z"); // already 1 December in Vietnam

  it("count the current month in Vietnam's time", () => {
    expect(currentMonth(now)).toBe("2026-12");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2025-12", 11)).toBe("2026-11");
  });

  it("default to the last 12 months by month", () => {
    expect(parseReportQuery({}, now)).toEqual({ ok: true, value: { by: "month", filter: { from: "2026-01", to: "2026-12" } } });
    expect(parseReportQuery({ to: "2026-06" }, now)).toEqual({ ok: true, value: { by: "month", filter: { from: "2025-07", to: "2026-06" } } });
  });

  it("take a future start month as a one-month period rather than refusing it", () => {
    expect(parseReportQuery({ from: "2027-03" }, now)).toEqual({ ok: true, value: { by: "month", filter: { from: "2027-03", to: "2027-03" } } });
  });

  it("trim codes and drop empty ones", () => {
    expect(parseReportQuery({ unit: " 000.00.12.H29 ", procedure: "  " }, now)).toMatchObject({ ok: true, value: { filter: { unitCode: "000.00.12.H29" } } });
    const r = parseReportQuery({ procedure: "  " }, now);
    expect(r.ok && "procedureCode" in r.value.filter).toBe(false);
  });
});
