import { describe, expect, it } from "vitest";
import { DossierEventSchema } from "../../src/core/cases/event-schema.ts";
import { DEMO_TRY, demoDossiers, demoEvents } from "../../src/cli/demo-dossiers.ts";

const procedures = [
  { code: "1.001", name: "Đăng ký khai sinh" },
  { code: "1.002", name: "Cấp giấy phép xây dựng" },
];
const now = new Date("2025-06-01T03:00:00Z");

describe("the demo dossiers", () => {
  it("are deterministic, 40 dossiers covering all statuses and channels, with the codes to try among them", () => {
    expect(demoEvents(procedures, now)).toEqual(demoEvents(procedures, now));
    const plans = demoDossiers();
    expect(plans).toHaveLength(40);
    expect(new Set(plans.map((p) => p.code)).size).toBe(40);
    expect([...new Set(plans.map((p) => p.status))].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(plans.map((p) => p.channel)).size).toBe(3);
    for (const t of DEMO_TRY) expect(plans.find((p) => p.code === t.code)?.digits).toBe(t.digits);
  });

  it("are valid events: late ones, a supplement, an apology with a new date, phones ending in the documented digits", () => {
    const events = demoEvents(procedures, now);
    for (const e of events) {
      expect(e.occurredAt.getTime()).toBeLessThanOrEqual(now.getTime());
      const wire = JSON.parse(JSON.stringify(e));
      expect(DossierEventSchema.safeParse(wire).success, JSON.stringify(wire)).toBe(true);
    }
    expect(events.filter((e) => e.reschedule)).toHaveLength(1);
    expect(events.some((e) => e.supplement)).toBe(true);
    const late = events.filter((e) => e.appointmentAt && e.appointmentAt < now);
    expect(late.length).toBeGreaterThan(0);
    for (const p of demoDossiers()) {
      const phone = events.find((e) => e.dossierCode === p.code && e.phone)?.phone ?? "";
      expect(phone.replace(/\D/g, "").slice(-4)).toBe(p.digits);
    }
  });
});
