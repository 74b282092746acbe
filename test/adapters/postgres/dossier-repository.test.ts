import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { timeliness } from "../../../src/core/cases/timeliness.ts";
import { createDossierRepository, canonicalDossierCode, type DossierRepository } from "../../../src/adapters/postgres/dossier-repository.ts";
import { parseDossierCode } from "../../../src/core/cases/dossier-code.ts";
import type { DossierEvent, ParsedDossierCode } from "../../../src/core/cases/types.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

const CODE = "000.00.12.H29-250312-0042";
const at = (s: string) => new Date(`2025-03-${s}+07:00`);
const ev = (id: string, occurred: string, extra: Partial<DossierEvent> = {}): DossierEvent => ({
  id,
  dossierCode: CODE,
  occurredAt: at(occurred),
  ...extra,
});
const national = (agency: string, unitParts: string[], date: string, seq: string, canonical: string | null = null): ParsedDossierCode => ({
  kind: "national",
  canonical,
  agency,
  unitParts,
  date,
  seq,
  key: `${agency}-${date}-${seq}`,
});

describe.each(engines)("the dossier repository (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let repo: DossierRepository;
  beforeEach(async () => {
    ctx = await freshDatabase(engine);
    repo = createDossierRepository(ctx.db.pool);
    await ctx.db.pool.query(`insert into procedures (code, portal) values ('1.001', '{"name":"Cấp giấy phép xây dựng"}')`);
  });
  afterEach(async () => ctx.dispose());

  const created = () =>
    repo.ingest([
      ev("e1", "12T08:00:00", {
        status: 2,
        vendorStatus: "Đã tiếp nhận",
        procedureCode: "1.001",
        procedureName: "Cấp giấy phép xây dựng",
        unitName: "UBND phường Dịch Vọng",
        channel: 1,
        receivedAt: at("12T08:00:00"),
        appointmentAt: at("26T17:00:00"),
        phone: "+84 912 345 678",
      }),
    ]);

  it("creates a dossier from its first event and shows it by canonical code", async () => {
    const r = await created();
    expect(r.results).toEqual([{ id: "e1", outcome: "applied" }]);
    expect(r.unknownProcedures).toEqual([]);
    const d = await repo.get(CODE);
    expect(d).toMatchObject({ code: CODE, status: 2, vendorStatus: "Đã tiếp nhận", procedureCode: "1.001", channel: 1, supplements: [] });
    expect(d?.appointmentAt?.toISOString()).toBe(at("26T17:00:00").toISOString());
  });

  it("updates the status and fields with a newer event and keeps the history", async () => {
    await created();
    const r = await repo.ingest([
      ev("e2", "14T09:00:00", { status: 5, supplement: { requestedAt: at("14T09:00:00"), items: ["Bản vẽ thiết kế"] } }),
      ev("e3", "18T10:00:00", { status: 4, supplement: { requestedAt: at("14T09:00:00"), items: [], resolvedAt: at("18T10:00:00") } }),
    ]);
    expect(r.results.map((x) => x.outcome)).toEqual(["applied", "applied"]);
    const d = await repo.get(CODE);
    expect(d?.status).toBe(4);
    expect(d?.supplements).toEqual([{ requestedAt: at("14T09:00:00"), resolvedAt: at("18T10:00:00"), items: ["Bản vẽ thiết kế"] }]);
    expect((await repo.history(CODE)).map((h) => h.status)).toEqual([2, 5, 4]);
  });

  it("closes a dossier at the event's time when a closing status comes without dates, so lateness stays true", async () => {
    await created();
    await repo.ingest([ev("e9", "28T10:00:00", { status: 9 }), ev("e10", "29T15:00:00", { status: 10 })]);
    const d = await repo.get(CODE);
    expect(d?.finishedAt?.toISOString()).toBe(at("28T10:00:00").toISOString());
    expect(d?.returnedAt?.toISOString()).toBe(at("29T15:00:00").toISOString());
    // The appointment was the 26th: finished on the 28th is late, and the dialogue says so.
    expect(timeliness(d!, at("30T08:00:00")).late).toBe(true);
  });

  it("treats a replayed event as a duplicate and changes nothing", async () => {
    await created();
    await repo.ingest([ev("e2", "14T09:00:00", { status: 4 })]);
    const before = await ctx.db.pool.query("select * from dossiers");
    const events = await ctx.db.pool.query("select count(*)::int n from dossier_events");
    const r = await repo.ingest([ev("e2", "20T09:00:00", { status: 9 }), ev("e1", "12T08:00:00", { status: 2 })]);
    expect(r.results.map((x) => x.outcome)).toEqual(["duplicate", "duplicate"]);
    expect((await ctx.db.pool.query("select * from dossiers")).rows).toEqual(before.rows);
    expect((await ctx.db.pool.query("select count(*)::int n from dossier_events")).rows).toEqual(events.rows);
  });

  it("never lets an older event overwrite a newer status, but records it and fills empty fields", async () => {
    await created();
    await repo.ingest([ev("e3", "20T09:00:00", { status: 9, finishedAt: at("20T09:00:00") })]);
    const r = await repo.ingest([ev("e2", "14T09:00:00", { status: 4, vendorStatus: "Đang xử lý", finishedAt: at("15T09:00:00"), resultDelivery: "post" })]);
    expect(r.results).toEqual([{ id: "e2", outcome: "stale" }]);
    const d = await repo.get(CODE);
    expect(d).toMatchObject({ status: 9, resultDelivery: "post" });
    expect(d?.finishedAt?.toISOString()).toBe(at("20T09:00:00").toISOString());
    expect((await repo.history(CODE)).map((h) => h.status)).toEqual([2, 4, 9]);
  });

  it("applies a batch out of order by event time", async () => {
    const r = await repo.ingest([ev("b", "14T09:00:00", { status: 4 }), ev("a", "12T08:00:00", { status: 2 })]);
    expect(r.results.map((x) => x.outcome)).toEqual(["applied", "applied"]);
    expect((await repo.get(CODE))?.status).toBe(4);
  });

  it("rejects the events of an unknown dossier when none carries a status", async () => {
    const r = await repo.ingest([ev("x", "12T08:00:00", { note: "không có trạng thái" })]);
    expect(r.results[0]).toMatchObject({ id: "x", outcome: "rejected" });
    expect(await repo.get(CODE)).toBeNull();
    expect((await ctx.db.pool.query("select count(*)::int n from dossier_events")).rows[0].n).toBe(0);
  });

  it("accepts unknown procedure codes and lists them", async () => {
    const r = await repo.ingest([ev("e1", "12T08:00:00", { status: 1, procedureCode: "9.999999" })]);
    expect(r.results[0]?.outcome).toBe("applied");
    expect(r.unknownProcedures).toEqual(["9.999999"]);
  });

  it("never stores the phone number, only a hash of its last 4 digits, and verifies it", async () => {
    await created();
    const dump = JSON.stringify([
      (await ctx.db.pool.query("select * from dossiers")).rows,
      (await ctx.db.pool.query("select * from dossier_events")).rows,
    ]);
    for (const digits of ["912345678", "912 345 678", "5678", "345678"]) expect(dump).not.toContain(digits);
    expect(dump).not.toContain("phone");
    expect(await repo.verify(CODE, "5678")).toBe(true);
    expect(await repo.verify(CODE, "5679")).toBe(false);
    expect(await repo.verify(CODE, "")).toBe(false);
    expect(await repo.verify("000.00.12.H29-250312-0043", "5678")).toBe(false);
  });

  it("finds a dossier by full, shortened and lower-case codes; ambiguous or unknown → null", async () => {
    await created();
    await repo.ingest([{ id: "o", dossierCode: "000.00.31.H29-250312-0042", occurredAt: at("12T08:00:00"), status: 1 }]);
    expect((await repo.find(national("H29", ["000", "00", "12"], "250312", "0042", CODE)))?.code).toBe(CODE);
    expect((await repo.find(national("H29", ["12"], "250312", "0042")))?.code).toBe(CODE);
    expect((await repo.find(national("H29", ["012"], "250312", "0042")))?.code).toBe(CODE);
    const lower = canonicalDossierCode("000.00.12.h29-250312-42");
    expect(lower).toEqual({ kind: "national", code: CODE, lookupKey: "H29-250312-0042", unitParts: ["000", "00", "12"] });
    for (const typed of ["000.00.12.h29-250312-0042", "H29.12-250312-0042", "h29 12 250312 42".replace(" 42", "-0042")]) {
      const parsed = parseDossierCode(typed);
      expect((await repo.find(parsed!))?.code, typed).toBe(CODE);
    }
    expect(canonicalDossierCode("0.0.12.H29-250312-0042").code).toBe(CODE);
    expect(await repo.find(national("H29", ["00"], "250312", "0042"))).toBeNull();
    expect(await repo.find(national("H29", [], "250312", "0042"))).toBeNull();
    expect(await repo.find(national("H29", ["12"], "250312", "0043"))).toBeNull();
  });

  it("finds a dossier by receipt number, case ignored", async () => {
    await repo.ingest([{ id: "r1", dossierCode: "bn-2025/00123", occurredAt: at("12T08:00:00"), status: 2 }]);
    await created();
    await repo.ingest([{ id: "e9", dossierCode: CODE, occurredAt: at("13T08:00:00"), receiptNo: "HS-777" }]);
    expect((await repo.find({ kind: "receipt", canonical: "BN-2025/00123" }))?.code).toBe("BN-2025/00123");
    expect((await repo.find({ kind: "receipt", canonical: "hs-777" }))?.code).toBe(CODE);
    expect(await repo.find({ kind: "receipt", canonical: "HS-778" })).toBeNull();
  });

  it("writes one outbox row per subscriber on a status change, plus a rating request on 9 or 10", async () => {
    await created();
    await repo.subscribe(CODE, "telegram", "111");
    await repo.subscribe(CODE, "zalo", "222");
    await repo.subscribe(CODE, "zalo", "222");
    expect((await ctx.db.pool.query("select count(*)::int n from dossier_subscriptions")).rows[0].n).toBe(2);
    const r1 = await repo.ingest([ev("e2", "14T09:00:00", { status: 4 }), ev("e2b", "14T10:00:00", { status: 4, note: "same status" })]);
    expect(r1.notifications).toBe(2);
    const r2 = await repo.ingest([ev("e3", "20T09:00:00", { status: 9 })]);
    expect(r2.notifications).toBe(4);
    const replay = await repo.ingest([ev("e3", "20T09:00:00", { status: 9 })]);
    expect(replay.notifications).toBe(0);
    const rows = (await ctx.db.pool.query("select kind, event_id, channel, chat_id, status from dossier_notifications order by id")).rows;
    expect(rows.map((x) => `${x.kind}:${x.event_id}:${x.channel}:${x.status}`).sort()).toEqual(
      ["status:e2:telegram:4", "status:e2:zalo:4", "status:e3:telegram:9", "status:e3:zalo:9", "rating:e3:telegram:9", "rating:e3:zalo:9"].sort(),
    );
  });
});
