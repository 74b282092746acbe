import { describe, expect, it } from "vitest";
import { afterQuietHours, isQuiet } from "../../src/core/ratings/quiet-hours.ts";

const QUIET = { start: 21, end: 7 };
/** A Vietnam local time (UTC+7) as a Date. */
const vn = (iso: string) => new Date(`${iso}+07:00`);

describe("quiet hours for rating requests (Vietnam time)", () => {
  it("21:00–07:00 local is quiet, across midnight; the day is not", () => {
    expect(isQuiet(vn("2026-11-22T20:59:00"), QUIET)).toBe(false);
    expect(isQuiet(vn("2026-11-22T21:00:00"), QUIET)).toBe(true);
    expect(isQuiet(vn("2026-11-23T03:00:00"), QUIET)).toBe(true);
    expect(isQuiet(vn("2026-11-23T07:00:00"), QUIET)).toBe(false);
    expect(isQuiet(vn("2026-11-23T12:00:00"), QUIET)).toBe(false);
  });

  it("a request due in the evening waits until 07:00 the next morning; one due before dawn until 07:00 that day", () => {
    expect(afterQuietHours(vn("2026-11-22T22:30:00"), QUIET).toISOString()).toBe(vn("2026-11-23T07:00:00").toISOString());
    expect(afterQuietHours(vn("2026-11-23T05:10:00"), QUIET).toISOString()).toBe(vn("2026-11-23T07:00:00").toISOString());
    expect(afterQuietHours(vn("2026-11-23T15:00:00"), QUIET).toISOString()).toBe(vn("2026-11-23T15:00:00").toISOString());
  });

  it("equal start and end means no quiet hours", () => {
    expect(isQuiet(vn("2026-11-23T03:00:00"), { start: 0, end: 0 })).toBe(false);
  });
});
