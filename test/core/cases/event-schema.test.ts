import { describe, expect, it } from "vitest";
import { DossierEventBatchSchema, DossierEventSchema, csvRowToEventInput, describeEventProblems } from "../../../src/core/cases/event-schema.ts";

describe("the dossier event schema", () => {
  it("turns ISO strings into dates, trims text and reads a bare date as midnight in Vietnam", () => {
    const e = DossierEventSchema.parse({
      id: " e1 ",
      dossierCode: "000.00.12.H29-250312-0042",
      occurredAt: "2025-03-12T08:30:00+07:00",
      appointmentAt: "2025-03-26",
      status: 2,
      channel: 3,
      phone: "+84 912 345 678",
      supplement: { requestedAt: "2025-03-14T09:00:00Z", items: [" Bản vẽ "] },
    });
    expect(e.id).toBe("e1");
    expect(e.occurredAt.toISOString()).toBe("2025-03-12T01:30:00.000Z");
    expect(e.appointmentAt?.toISOString()).toBe("2025-03-25T17:00:00.000Z");
    expect(e.supplement?.items).toEqual(["Bản vẽ"]);
  });

  it("refuses bad statuses, channels, dates, phones and unknown keys, naming the field", () => {
    const r = DossierEventBatchSchema.safeParse({
      events: [
        { id: "ok", dossierCode: "X", occurredAt: "2025-03-12" },
        { id: "b", dossierCode: "X", occurredAt: "2025-03-12T08:30:00", status: 0, channel: 4, phone: "0912-345-678", extra: 1 },
      ],
    });
    expect(r.success).toBe(false);
    const problems = describeEventProblems(r.error!);
    expect(problems.map((p) => `${p.event}:${p.field}`).sort()).toEqual(["1:", "1:channel", "1:occurredAt", "1:phone", "1:status"]);
  });

  it("takes 1 to 1000 events per batch", () => {
    expect(DossierEventBatchSchema.safeParse({ events: [] }).success).toBe(false);
    const one = { id: "a", dossierCode: "X", occurredAt: "2025-03-12" };
    expect(DossierEventBatchSchema.safeParse({ events: Array.from({ length: 1000 }, (_, i) => ({ ...one, id: `a${i}` })) }).success).toBe(true);
    expect(DossierEventBatchSchema.safeParse({ events: Array.from({ length: 1001 }, (_, i) => ({ ...one, id: `a${i}` })) }).success).toBe(false);
  });

  it("maps a flat CSV row onto the same event, empty cells meaning not given", () => {
    const row = {
      event_id: "c1",
      dossier_code: "000.00.12.H29-250312-0042",
      occurred_at: "2025-03-14T09:00:00+07:00",
      status: "5",
      supplement_items: "Bản vẽ | Giấy phép cũ",
      supplement_requested_at: "2025-03-14",
      fees_amount: "500000",
      fees_note: "",
      channel: "",
      phone: "0912345678",
    };
    const e = DossierEventSchema.parse(csvRowToEventInput(row));
    expect(e).toMatchObject({ id: "c1", status: 5, supplement: { items: ["Bản vẽ", "Giấy phép cũ"] }, feesDue: { amount: 500000, note: null } });
    expect(e.channel).toBeUndefined();
    const bad = DossierEventSchema.safeParse(csvRowToEventInput({ ...row, status: "năm" }));
    expect(describeEventProblems(bad.error!).map((p) => p.field)).toEqual(["status"]);
  });
});
