import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createHttpServer } from "../../src/server/app.ts";
import { signDossierEvents } from "../../src/server/dossier-events.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import { createDossierRepository } from "../../src/adapters/postgres/dossier-repository.ts";
import type { CatalogueReader } from "../../src/core/ports.ts";
import { engines, freshDatabase } from "../support/databases.ts";

const SECRET = "s3cret-for-tests";
const NOW = Date.UTC(2025, 2, 14, 2, 0, 0);
const ts = String(Math.floor(NOW / 1000));
const logger = pino({ level: "silent" });
const body = JSON.stringify({
  events: [
    { id: "h1", dossierCode: "000.00.12.H29-250312-0042", occurredAt: "2025-03-12T08:00:00+07:00", status: 2, phone: "0912 345 678", procedureCode: "9.9" },
    { id: "h2", dossierCode: "000.00.12.H29-250312-0042", occurredAt: "2025-03-13", status: 4 },
  ],
});
const signed = (raw: string, timestamp = ts, secret = SECRET) => ({
  "content-type": "application/json",
  "x-timestamp": timestamp,
  "x-signature": `sha256=${signDossierEvents(secret, timestamp, raw)}`,
});

describe.each(engines)("POST /api/v1/dossier-events (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let app: ReturnType<typeof createHttpServer>;
  const post = (payload: string, headers: Record<string, string>) => app.inject({ method: "POST", url: "/api/v1/dossier-events", payload, headers });

  beforeAll(async () => {
    ctx = await freshDatabase(engine);
    const repo = createDossierRepository(ctx.db.pool);
    app = createHttpServer({
      catalogue: createCatalogueRepository(ctx.db.pool),
      health: { database: { kind: engine, vectorSearch: false } },
      logger,
      dossierEvents: { secret: SECRET, ingest: (e) => repo.ingest(e), now: () => NOW },
    });
  });
  afterAll(async () => {
    await app.close();
    await ctx.dispose();
  });

  it("ingests a correctly signed batch and answers with the outcomes", async () => {
    const res = await post(body, signed(body));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      applied: 2,
      duplicates: 0,
      stale: 0,
      unknownProcedures: ["9.9"],
      results: [
        { id: "h1", outcome: "applied" },
        { id: "h2", outcome: "applied" },
      ],
    });
    expect((await ctx.db.pool.query("select status from dossiers")).rows).toEqual([{ status: 4 }]);
  });

  it("reports a replayed request as duplicates and changes nothing", async () => {
    const before = (await ctx.db.pool.query("select * from dossiers")).rows;
    const res = await post(body, signed(body));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ applied: 0, duplicates: 2 });
    expect((await ctx.db.pool.query("select * from dossiers")).rows).toEqual(before);
  });

  it("refuses a wrong signature, a stale or future timestamp and missing headers with 401", async () => {
    const good = signed(body);
    const cases: Record<string, string>[] = [
      signed(body, ts, "other-secret"),
      { ...good, "x-signature": good["x-signature"].replace("sha256=", "sha1=") },
      { ...good, "x-signature": "sha256=zz" },
      signed(body, String(Number(ts) - 301)),
      signed(body, String(Number(ts) + 301)),
      { ...good, "x-timestamp": String(Number(ts) + 1) },
      { "content-type": "application/json" },
      { "content-type": "application/json", "x-timestamp": ts },
      { "content-type": "application/json", "x-signature": good["x-signature"] },
    ];
    for (const headers of cases) {
      const res = await post(body, headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json()).toEqual({ error: "unauthorized" });
    }
    // The body is signed: changing one byte breaks the signature.
    const res = await post(body.replace('"status":4', '"status":9'), good);
    expect(res.statusCode).toBe(401);
    // Refused before parsing: garbage with a bad signature is 401, not 400.
    expect((await post("{not json", good)).statusCode).toBe(401);
  });

  it("accepts a timestamp within five minutes", async () => {
    const b = JSON.stringify({ events: [{ id: "h3", dossierCode: "BN-1", occurredAt: "2025-03-13T10:00:00Z", status: 1 }] });
    const res = await post(b, signed(b, String(Number(ts) - 299)));
    expect(res.statusCode).toBe(200);
  });

  it("answers 400 on malformed JSON, after the signature", async () => {
    const bad = '{"events": [';
    const res = await post(bad, signed(bad));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe("invalid_json");
  });

  it("answers 400 naming the event and the field of each problem", async () => {
    const b = JSON.stringify({
      events: [
        { id: "ok", dossierCode: "BN-2", occurredAt: "2025-03-13T10:00:00Z", status: 1 },
        { id: "bad", dossierCode: "BN-2", occurredAt: "13/03/2025", status: 11, colour: "red" },
      ],
    });
    const res = await post(b, signed(b));
    expect(res.statusCode).toBe(400);
    const problems = res.json().problems as { event: number; field: string }[];
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ event: 1, field: "occurredAt" }),
        expect.objectContaining({ event: 1, field: "status" }),
        expect.objectContaining({ event: 1, field: "", message: expect.stringContaining("colour") }),
      ]),
    );
    expect((await ctx.db.pool.query("select count(*)::int n from dossiers where code = 'BN-2'")).rows[0].n).toBe(0);
  });
});

describe("the dossier events route without a database or configuration", () => {
  const catalogue = { size: async () => ({ procedures: 0, curated: 0, portal: 0, guides: 0 }) } as unknown as CatalogueReader;
  const health = { database: { kind: "embedded", vectorSearch: false } };

  it("answers 503 not_configured when no secret is configured", async () => {
    const app = createHttpServer({ catalogue, health, logger });
    const res = await app.inject({ method: "POST", url: "/api/v1/dossier-events", payload: body, headers: signed(body) });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: "not_configured" });
    await app.close();
  });

  it("answers 503 without a stack trace when the database is down", async () => {
    const app = createHttpServer({
      catalogue,
      health,
      logger,
      dossierEvents: { secret: SECRET, now: () => NOW, ingest: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")) },
    });
    const res = await app.inject({ method: "POST", url: "/api/v1/dossier-events", payload: body, headers: signed(body) });
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('{"error":"unavailable"}');
    await app.close();
  });
});
