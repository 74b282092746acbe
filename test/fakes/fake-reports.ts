import type {
  ComplaintRow,
  ComplaintStatus,
  KpiRow,
  ReportFilter,
  ReportGrouping,
  ReportsReader,
  SatisfactionRow,
  UnansweredRow,
} from "../../src/core/reports/types.ts";

/**
 * A ReportsReader with hand-written rows, recording every call. The rows do not depend on the
 * filter (except complaints, narrowed by status): tests check that the filter is passed through and
 * that pages, CSV and JSON show exactly these numbers. Some texts are hostile on purpose (markup,
 * a comma, a quote and a newline, a leading "=").
 */
export const SATISFACTION: Record<ReportGrouping, SatisfactionRow[]> = {
  month: [
    { key: "2026-09", label: "Tháng 9/2026", closed: 120, requested: 100, rated: 80, veryGood: 48, good: 24, dislike: 8, dislikeShare: 0.1, responseRate: 0.8 },
    { key: "2026-10", label: "Tháng 10/2026", closed: 1250, requested: 1000, rated: 333, veryGood: 200, good: 100, dislike: 33, dislikeShare: 33 / 333, responseRate: 0.333 },
    { key: "2026-11", label: "Tháng 11/2026", closed: 5, requested: 0, rated: 0, veryGood: 0, good: 0, dislike: 0, dislikeShare: 0, responseRate: 0 },
  ],
  unit: [
    { key: "000.00.12.H29", label: "UBND xã Tân Hòa, huyện “Đông”, <b>tỉnh</b>", closed: 300, requested: 250, rated: 200, veryGood: 150, good: 40, dislike: 10, dislikeShare: 0.05, responseRate: 0.8 },
    { key: "=cmd|' /C calc'!A0", label: "=HYPERLINK(\"http://x\")", closed: 1, requested: 1, rated: 1, veryGood: 0, good: 0, dislike: 1, dislikeShare: 1, responseRate: 1 },
  ],
  procedure: [
    { key: "1.001456", label: "Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)", closed: 40, requested: 40, rated: 16, veryGood: 8, good: 6, dislike: 2, dislikeShare: 0.125, responseRate: 0.4 },
  ],
};

export const KPI: Record<ReportGrouping, KpiRow[]> = {
  month: [
    { key: "2026-10", label: "Tháng 10/2026", closed: 1250, late: 50, complaintOrDislike: 40, latePct: 4, complaintOrDislikePct: 3.2, kpi: 92.8 },
    { key: "2026-11", label: "Tháng 11/2026", closed: 0, late: 0, complaintOrDislike: 0, latePct: 0, complaintOrDislikePct: 0, kpi: null },
  ],
  unit: [{ key: "000.00.12.H29", label: "UBND xã Tân Hòa", closed: 10, late: 7, complaintOrDislike: 5, latePct: 70, complaintOrDislikePct: 50, kpi: -20 }],
  procedure: [{ key: "1.001456", label: "Cấp hộ chiếu phổ thông", closed: 40, late: 2, complaintOrDislike: 3, latePct: 5, complaintOrDislikePct: 7.5, kpi: 87.5 }],
};

export const COMPLAINTS: ComplaintRow[] = [
  {
    ref: "PA-261122-0007",
    dossierCode: "000.00.12.H29-261101-0042",
    procedureName: "Đăng ký khai sinh",
    unitName: "UBND xã Tân Hòa",
    comment: 'Cán bộ hẹn 3 lần, nói "tuần sau", vẫn chưa có kết quả.\nSĐT của tôi 09******78 <script>alert(1)</script>',
    status: "new",
    createdAt: new Date("2026-11-22T01:30:00Z"),
  },
  {
    ref: "PA-261120-0003",
    dossierCode: "000.00.12.H29-261015-0007",
    procedureName: null,
    unitName: null,
    comment: "=1+1 thử công thức",
    status: "in_progress",
    createdAt: new Date("2026-11-20T09:05:00Z"),
  },
  {
    ref: "PA-261001-0001",
    dossierCode: "H29.12-261001-0001",
    procedureName: "Cấp đổi thẻ căn cước",
    unitName: "Công an xã Tân Hòa",
    comment: "Đã được giải thích, cảm ơn.",
    status: "resolved",
    createdAt: new Date("2026-10-01T17:00:00Z"),
  },
];

export const UNANSWERED: UnansweredRow[] = [
  { example: "đăng ký nuôi chó mèo ở đâu", key: "dang ky nuoi cho meo o dau", count: 3, lastAskedAt: new Date("2026-11-02T03:00:00Z") },
  { example: "xin giấy phép bắn pháo hoa, cưới, tết", key: "xin giay phep ban phao hoa cuoi tet", count: 12, lastAskedAt: new Date("2026-11-20T03:00:00Z") },
  { example: "-thủ tục gì để mở quán", key: "thu tuc gi de mo quan", count: 3, lastAskedAt: new Date("2026-11-21T03:00:00Z") },
];

export const DIMENSIONS = {
  units: [
    { code: "000.00.12.H29", name: "UBND xã Tân Hòa" },
    { code: "000.00.13.H29", name: "UBND xã Tân Lập" },
  ],
  procedures: [
    { code: "1.001456", name: "Cấp hộ chiếu phổ thông" },
    { code: "1.001193", name: "Đăng ký khai sinh" },
  ],
};

export type ReportCall =
  | { report: "satisfaction" | "kpi"; by: ReportGrouping; filter: ReportFilter }
  | { report: "complaints"; filter: ReportFilter & { status?: ComplaintStatus } }
  | { report: "unanswered"; filter: ReportFilter };

export function createFakeReports(): ReportsReader & { calls: ReportCall[]; failWith: Error | null } {
  const fake = {
    calls: [] as ReportCall[],
    failWith: null as Error | null,
    async satisfaction(by: ReportGrouping, filter: ReportFilter) {
      if (fake.failWith) throw fake.failWith;
      fake.calls.push({ report: "satisfaction", by, filter });
      return structuredClone(SATISFACTION[by]);
    },
    async kpi(by: ReportGrouping, filter: ReportFilter) {
      if (fake.failWith) throw fake.failWith;
      fake.calls.push({ report: "kpi", by, filter });
      return structuredClone(KPI[by]);
    },
    async complaints(filter: ReportFilter & { status?: ComplaintStatus }) {
      if (fake.failWith) throw fake.failWith;
      fake.calls.push({ report: "complaints", filter });
      return structuredClone(COMPLAINTS.filter((c) => !filter.status || c.status === filter.status));
    },
    async unanswered(filter: ReportFilter) {
      if (fake.failWith) throw fake.failWith;
      fake.calls.push({ report: "unanswered", filter });
      return structuredClone(UNANSWERED);
    },
    async dimensions() {
      return structuredClone(DIMENSIONS);
    },
  };
  return fake;
}
