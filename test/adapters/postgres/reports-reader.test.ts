import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createComplaintUpdater, createReportsReader, type PostgresReports } from "../../../src/adapters/postgres/reports-reader.ts";
import { createUnansweredLog } from "../../../src/adapters/postgres/rating-store.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

/**
 * A hand-checked month: unit H48.05, October 2026 (Vietnam time), ten closed dossiers.
 * - late: D01 and D02 finished after their appointment; D03 too, but an apology gave it a later date.
 * - invited to rate: D01–D08 (8). Rated: D01 ✗, D04 ★★★, D05 ★★★, D06 ★★, D07 ✗ (5; dislikes 2).
 * - complaints: D07 (also a dislike) and D08 (not rated).
 * So: late 2/10 = 20%; complaint or dislike {D01, D07, D08} = 3/10 = 30%; KPI = 100 − (20 + 30) = 50.
 * Dislike share 2/5 = 40%; response rate 5/8 = 62.5%.
 */
const OCT = (day: number, hour = 10) => new Date(Date.UTC(2026, 9, day, hour - 7)); // local hour in Vietnam

describe.each(engines)("reports over Postgres (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let reports: PostgresReports;

  async function dossier(code: string, o: { status?: number; finished?: Date; appointment?: Date; rescheduled?: Date; unit?: string; procedure?: string }) {
    await ctx.db.pool.query(
      `insert into dossiers (code, procedure_code, procedure_name, unit_code, unit_name, status, status_at, finished_at, appointment_at, rescheduled_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [code, o.procedure ?? "1.001193", o.procedure === "2.000001" ? "Cấp giấy phép xây dựng" : "Đăng ký khai sinh", o.unit ?? "H48.05", o.unit === "H48.07" ? "UBND phường Thạch Thang" : "UBND phường Hải Châu",
       o.status ?? 10, o.finished ?? OCT(15), o.status === 4 ? null : (o.finished ?? OCT(15)), o.appointment ?? OCT(20), o.rescheduled ?? null],
    );
  }
  const invite = (code: string) => ctx.db.pool.query("insert into rating_requests (dossier_code, channel, chat_id, token, sent_at) values ($1, 'web', 'c', $2, now())", [code, `tok${code}`]);
  const rate = (code: string, overall: number) => ctx.db.pool.query("insert into ratings (dossier_code, channel, chat_id, overall) values ($1, 'web', 'c', $2)", [code, overall]);
  const complain = (code: string, comment: string) => ctx.db.pool.query("insert into complaints (ref, dossier_code, channel, comment, created_at) values ($1, $2, 'web', $3, $4)", [`PA-${code}`, code, comment, OCT(25)]);

  beforeAll(async () => {
    ctx = await freshDatabase(engine);
    reports = createReportsReader(ctx.db.pool);
    for (let i = 1; i <= 10; i++) {
      const late = i <= 3;
      await dossier(`D${String(i).padStart(2, "0")}`, { finished: OCT(i + 5), appointment: late ? OCT(i + 2) : OCT(28), ...(i === 3 ? { rescheduled: OCT(30) } : {}) });
    }
    for (let i = 1; i <= 8; i++) await invite(`D0${i}`);
    await rate("D01", 1);
    await rate("D04", 3);
    await rate("D05", 3);
    await rate("D06", 2);
    await rate("D07", 1);
    await complain("D07", "Cán bộ hẹn nhiều lần, gọi 0912345678 không nghe");
    await complain("D08", "Phải bổ sung giấy tờ ba lần, CCCD 001099012345");
    await dossier("OPEN1", { status: 4 });
    // Closed 03:00 on 1 November in Vietnam (20:00 UTC on 31 October): November's.
    await dossier("NOV1", { finished: new Date(Date.UTC(2026, 9, 31, 20)), appointment: new Date(Date.UTC(2026, 10, 10)), unit: "H48.07", procedure: "2.000001" });
    await dossier("OLD1", { finished: new Date(Date.UTC(2025, 8, 10)) });
    await reports.refresh();
  });
  afterAll(async () => ctx.dispose());

  const period = { from: "2025-12", to: "2026-11" };

  it("computes the KPI of the hand-checked month: 100% − (20% late + 30% complaint or dislike) = 50%", async () => {
    const rows = await reports.kpi("month", period);
    expect(rows).toEqual([
      { key: "2026-10", label: "Tháng 10/2026", closed: 10, late: 2, complaintOrDislike: 3, latePct: 20, complaintOrDislikePct: 30, kpi: 50 },
      { key: "2026-11", label: "Tháng 11/2026", closed: 1, late: 0, complaintOrDislike: 0, latePct: 0, complaintOrDislikePct: 0, kpi: 100 },
    ]);
  });

  it("satisfaction: the three levels, the dislike share and the response rate, by month, unit and procedure", async () => {
    const [oct] = await reports.satisfaction("month", period);
    expect(oct).toEqual({ key: "2026-10", label: "Tháng 10/2026", closed: 10, requested: 8, rated: 5, veryGood: 2, good: 1, dislike: 2, dislikeShare: 0.4, responseRate: 0.625 });
    const units = await reports.satisfaction("unit", period);
    expect(units.map((u) => [u.key, u.label, u.closed])).toEqual([["H48.05", "UBND phường Hải Châu", 10], ["H48.07", "UBND phường Thạch Thang", 1]]);
    const procedures = await reports.satisfaction("procedure", { ...period, unitCode: "H48.07" });
    expect(procedures.map((p) => [p.key, p.label])).toEqual([["2.000001", "Cấp giấy phép xây dựng"]]);
  });

  it("a period outside the data is empty, not an error", async () => {
    expect(await reports.satisfaction("month", { from: "2024-01", to: "2024-12" })).toEqual([]);
  });

  it("complaints come with their status and the comment's phone and ID numbers masked", async () => {
    const rows = await reports.complaints(period);
    expect(rows.map((r) => r.ref).sort()).toEqual(["PA-D07", "PA-D08"]);
    const text = rows.map((r) => r.comment).join(" ");
    expect(text).not.toMatch(/0912345678|001099012345/);
    expect(text).toContain("*******678");
    expect(rows.every((r) => r.status === "new" && r.unitName === "UBND phường Hải Châu")).toBe(true);
    expect(await reports.complaints({ ...period, status: "resolved" })).toEqual([]);
  });

  it("staff move a complaint along; an unknown reference changes nothing", async () => {
    const updater = createComplaintUpdater(ctx.db.pool);
    expect(await updater.setStatus("PA-D08", "in_progress")).toBe(true);
    expect(await updater.setStatus("PA-000000-0000", "resolved")).toBe(false);
    expect((await reports.complaints({ ...period, status: "in_progress" })).map((c) => c.ref)).toEqual(["PA-D08"]);
  });

  it("unanswered questions are grouped by their folded text, with counts in the period", async () => {
    const log = createUnansweredLog(ctx.db.pool);
    await log.record("Thủ tục nuôi rồng?", OCT(3));
    await log.record("thu tuc nuoi rong", OCT(4));
    await log.record("Cấp phép bay flycam", OCT(5));
    const rows = await reports.unanswered(period);
    expect(rows.map((r) => [r.key, r.count])).toEqual([["thu tuc nuoi rong", 2], ["cap phep bay flycam", 1]]);
    expect(await reports.unanswered({ from: "2026-11", to: "2026-11" })).toEqual([]);
  });

  it("the figures change only when refreshed, and say when that was", async () => {
    const before = await reports.refreshedAt();
    await rate("D08", 3);
    expect((await reports.satisfaction("month", period))[0]!.rated).toBe(5);
    await reports.refresh();
    expect((await reports.satisfaction("month", period))[0]!.rated).toBe(6);
    expect((await reports.refreshedAt())!.getTime()).toBeGreaterThanOrEqual(before!.getTime());
  });
});
