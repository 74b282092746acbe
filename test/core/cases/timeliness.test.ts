import { describe, expect, it } from "vitest";
import { formatVietnamDate, timeliness } from "../../../src/core/cases/timeliness.ts";
import { dossier } from "../../fakes/in-memory.ts";

/** A moment in Vietnam time (UTC+7). */
const vn = (s: string) => new Date(`${s}+07:00`);
const base = { code: "000.00.12.H29-250312-0042", appointmentAt: vn("2025-03-20T17:00:00") };

describe("whether a dossier is late", () => {
  it("is on time before the appointment", () => {
    expect(timeliness(dossier({ ...base, status: 4 }), vn("2025-03-20T16:00:00"))).toEqual({ late: false, deadline: vn("2025-03-20T17:00:00"), daysLate: 0 });
  });

  it("is late once the appointment has passed without a result, counting calendar days", () => {
    expect(timeliness(dossier({ ...base, status: 4 }), vn("2025-03-20T17:30:00"))).toMatchObject({ late: true, daysLate: 1 });
    expect(timeliness(dossier({ ...base, status: 4 }), vn("2025-03-23T09:00:00"))).toMatchObject({ late: true, daysLate: 3 });
  });

  it("moves the deadline by the time spent waiting for a supplement", () => {
    // Requested 10/03 08:00, resolved 15/03 08:00: 5 days paused → deadline 25/03 17:00.
    const d = dossier({ ...base, status: 4, supplements: [{ requestedAt: vn("2025-03-10T08:00:00"), resolvedAt: vn("2025-03-15T08:00:00"), items: ["Bản sao sổ hộ khẩu"] }] });
    expect(timeliness(d, vn("2025-03-24T10:00:00"))).toEqual({ late: false, deadline: vn("2025-03-25T17:00:00"), daysLate: 0 });
    expect(timeliness(d, vn("2025-03-26T10:00:00"))).toMatchObject({ late: true, daysLate: 1 });
  });

  it("keeps the clock paused while a supplement is still awaited", () => {
    const d = dossier({ ...base, status: 5, supplements: [{ requestedAt: vn("2025-03-18T17:00:00"), resolvedAt: null, items: [] }] });
    const now = vn("2025-04-10T09:00:00");
    expect(timeliness(d, now).late).toBe(false);
    expect(timeliness(d, now).deadline!.getTime()).toBe(vn("2025-03-20T17:00:00").getTime() + (now.getTime() - vn("2025-03-18T17:00:00").getTime()));
  });

  it("uses the one rescheduled date instead of the appointment", () => {
    const d = dossier({ ...base, status: 4, rescheduledAt: vn("2025-03-27T17:00:00") });
    expect(timeliness(d, vn("2025-03-25T09:00:00"))).toMatchObject({ late: false, deadline: vn("2025-03-27T17:00:00") });
    expect(timeliness(d, vn("2025-03-28T09:00:00"))).toMatchObject({ late: true, daysLate: 1 });
  });

  it("calls a finished dossier late only when it finished after the deadline", () => {
    expect(timeliness(dossier({ ...base, status: 9, finishedAt: vn("2025-03-19T10:00:00") }), vn("2025-04-30T10:00:00"))).toMatchObject({ late: false, daysLate: 0 });
    expect(timeliness(dossier({ ...base, status: 10, finishedAt: vn("2025-03-22T10:00:00") }), vn("2025-04-30T10:00:00"))).toMatchObject({ late: true, daysLate: 2 });
  });

  it.each([3, 7, 8] as const)("never calls a dossier with closed status %i late", (status) => {
    expect(timeliness(dossier({ ...base, status }), vn("2025-05-01T10:00:00"))).toMatchObject({ late: false, daysLate: 0 });
  });

  it("has no deadline without an appointment", () => {
    expect(timeliness(dossier({ code: "X", status: 4 }), vn("2025-05-01T10:00:00"))).toEqual({ late: false, deadline: null, daysLate: 0 });
  });

  it("formats dates as dd/mm/yyyy in Vietnam time", () => {
    expect(formatVietnamDate(new Date("2025-03-11T18:00:00Z"))).toBe("12/03/2025");
  });
});
