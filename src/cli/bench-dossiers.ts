import pino from "pino";
import { loadConfig } from "../config.ts";
import { createScratchDatabase, openDatabase } from "../adapters/postgres/database.ts";
import { migrate } from "../adapters/postgres/migrate.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import { createDossierRepository } from "../adapters/postgres/dossier-repository.ts";
import { createHttpServer } from "../server/app.ts";
import { DOSSIER_EVENTS_PATH, signDossierEvents } from "../server/dossier-events.ts";
import type { ParsedDossierCode } from "../core/cases/types.ts";

/**
 * `npm run bench:dossiers -- [--dossiers N] [--lookups N] [--events N] [--concurrency N]`: on the
 * PostgreSQL server at DATABASE_URL (a scratch database, dropped at the end), seeds N dossiers (default
 * 1,000,000) set-based inside the database, then measures lookups through `find()` (full and shortened
 * codes) and ingest through the signed HTTP endpoint over loopback (batches of 200, half new dossiers,
 * half status changes). Last line: {"dossiers": …, "lookup_p50_ms": …, "lookup_p95_ms": …, "ingest_per_s": …}.
 */
const args = process.argv.slice(2);
const opt = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const N = opt("--dossiers", 1_000_000);
const LOOKUPS = opt("--lookups", 2000);
const EVENTS = opt("--events", 20_000);
const CONCURRENCY = opt("--concurrency", 2);
const BATCH = 200;

// Provincial agency codes (H29 Hà Nội, H79 TP Hồ Chí Minh, H48 Đà Nẵng, H31 Hải Phòng, …) and two ministries.
const AGENCIES = ["H29", "H79", "H48", "H31", "H92", "H26", "H27", "H30", "H33", "H36", "H38", "H40", "H42", "H44", "H46", "H56", "H66", "H74", "G01", "G12"];
const DAYS = 500;
const BASE_DAY = Date.UTC(2024, 0, 1);

/** Mirrors the seeding SQL: the i-th dossier's code parts. */
function seeded(i: number) {
  const agency = AGENCIES[i % AGENCIES.length]!;
  const day = new Date(BASE_DAY + (Math.floor(i / AGENCIES.length) % DAYS) * 86_400_000);
  const date = `${String(day.getUTCFullYear() % 100).padStart(2, "0")}${String(day.getUTCMonth() + 1).padStart(2, "0")}${String(day.getUTCDate()).padStart(2, "0")}`;
  const seq = String(Math.floor(i / (AGENCIES.length * DAYS)) + 1).padStart(4, "0");
  const units = ["000", String((i * 7) % 100).padStart(2, "0"), String((i * 13) % 50).padStart(2, "0")];
  return { agency, date, seq, units, code: `${units.join(".")}.${agency}-${date}-${seq}` };
}

const config = loadConfig();
if (config.database.kind !== "server") {
  console.error("bench:dossiers needs DATABASE_URL (a PostgreSQL server); a scratch database is created on it and dropped.");
  process.exit(2);
}
const scratch = await createScratchDatabase(config.database.url, "tthc_bench_dossiers");
const db = await openDatabase({ kind: "server", url: scratch.url, max: 8 });
let app: ReturnType<typeof createHttpServer> | undefined;
try {
  await migrate(db.pool);
  let t = performance.now();
  const agencies = `array[${AGENCIES.map((a) => `'${a}'`).join(",")}]`;
  await db.pool.query(`insert into procedures (code, portal)
    select '1.00' || g, jsonb_build_object('name', 'Thủ tục thử nghiệm ' || g) from generate_series(1000, 1019) g`);
  await db.pool.query(`
    insert into dossiers (code, lookup_key, unit_parts, procedure_code, procedure_name, unit_name, channel, status, vendor_status,
                          status_at, received_at, appointment_at, finished_at, returned_at, result_delivery, factor_hash, supplements)
    select u0 || '.' || u1 || '.' || u2 || '.' || ag || '-' || d || '-' || sq,
           ag || '-' || d || '-' || sq, array[u0, u1, u2],
           '1.00' || (1000 + i % 20), 'Thủ tục thử nghiệm ' || (1000 + i % 20), 'UBND ' || ag || ' đơn vị ' || u2,
           1 + (i * 31) % 3, st, 'vendor-' || st,
           rec + interval '1 day' * ((i * 17) % 10), rec, rec + interval '1 day' * (5 + (i * 3) % 15),
           case when st in (9, 10) then rec + interval '1 day' * (3 + (i * 5) % 15) end,
           case when st = 10 then rec + interval '1 day' * (4 + (i * 5) % 15) end,
           (array['counter', 'post', 'online'])[1 + i % 3],
           case when i % 3 = 0 then md5(ag || d || sq) || md5(sq || d || ag) end,
           case when st = 5 then jsonb_build_array(jsonb_build_object('requestedAt', rec + interval '2 days', 'resolvedAt', null, 'items', jsonb_build_array('Bản sao giấy tờ'))) else '[]'::jsonb end
    from (
      select i, (${agencies})[1 + i % ${AGENCIES.length}] ag,
             to_char(date '2024-01-01' + ((i / ${AGENCIES.length}) % ${DAYS}), 'YYMMDD') d,
             lpad(((i / ${AGENCIES.length * DAYS}) + 1)::text, 4, '0') sq,
             '000' u0, lpad(((i * 7) % 100)::text, 2, '0') u1, lpad(((i * 13) % 50)::text, 2, '0') u2,
             (array[1, 2, 2, 3, 4, 4, 4, 4, 5, 6, 7, 8, 9, 9, 9, 10, 10, 10, 10, 10])[1 + (i::bigint * 7919 % 20)::int]::smallint st,
             (date '2024-01-01' + ((i / ${AGENCIES.length}) % ${DAYS}))::timestamptz + interval '8 hours' rec
      from generate_series(0, ${N - 1}) i
    ) s`);
  await db.pool.query(`insert into dossier_events (event_id, dossier_code, occurred_at, status, vendor_status, payload, outcome)
    select 'seed-' || code, code, status_at, status, vendor_status, '{}'::jsonb, 'applied' from dossiers`);
  await db.pool.query("analyze");
  const seedS = (performance.now() - t) / 1000;
  console.log(`Seeded ${N.toLocaleString("en")} dossiers (+1 event each) in ${seedS.toFixed(1)} s`);

  // Lookups through find(): half full codes, half shortened (agency + last unit segment).
  const repo = createDossierRepository(db.pool);
  let rnd = 12345;
  const random = () => ((rnd = (rnd * 1103515245 + 12345) % 2 ** 31), rnd / 2 ** 31);
  const parsedFor = (i: number, full: boolean): ParsedDossierCode => {
    const s = seeded(i);
    return {
      kind: "national",
      canonical: full ? s.code : null,
      agency: s.agency,
      unitParts: full ? s.units : [s.units[2]!],
      date: s.date,
      seq: s.seq,
      key: `${s.agency}-${s.date}-${s.seq}`,
    };
  };
  for (let k = 0; k < 200; k++) await repo.find(parsedFor(Math.floor(random() * N), k % 2 === 0));
  const times: number[] = [];
  let found = 0;
  for (let k = 0; k < LOOKUPS; k++) {
    const parsed = parsedFor(Math.floor(random() * N), k % 2 === 0);
    const s = performance.now();
    const d = await repo.find(parsed);
    times.push(performance.now() - s);
    if (d) found++;
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]! * 100) / 100;
  console.log(`Lookups: ${LOOKUPS} through find() (half full, half shortened codes), ${found} found: p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms`);

  // Ingest through the signed HTTP endpoint over loopback.
  const secret = "bench-secret";
  app = createHttpServer({
    catalogue: createCatalogueRepository(db.pool),
    health: { database: { kind: "server", vectorSearch: false } },
    logger: pino({ level: "silent" }),
    dossierEvents: { secret, ingest: (events) => repo.ingest(events) },
  });
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  const nowIso = new Date().toISOString();
  const batches: string[] = [];
  let newSeq = 0;
  for (let b = 0; b * BATCH < EVENTS; b++) {
    const events: Record<string, unknown>[] = [];
    const used = new Set<number>();
    for (let k = 0; k < BATCH && b * BATCH + k < EVENTS; k++) {
      if (k % 2 === 0) {
        newSeq++;
        events.push({
          id: `bench-new-${newSeq}`,
          dossierCode: `000.00.${String(newSeq % 50).padStart(2, "0")}.H29-2601${String(1 + Math.floor(newSeq / 9999)).padStart(2, "0")}-${String((newSeq % 9999) + 1).padStart(4, "0")}`,
          occurredAt: nowIso,
          status: 2,
          vendorStatus: "Đã tiếp nhận",
          procedureCode: `1.00${1000 + (newSeq % 25)}`,
          procedureName: "Thủ tục thử nghiệm",
          unitName: "UBND phường thử nghiệm",
          channel: 1 + (newSeq % 3),
          receivedAt: nowIso,
          appointmentAt: new Date(Date.now() + 10 * 86_400_000).toISOString(),
          phone: `09${String(10_000_000 + newSeq).slice(-8)}`,
        });
      } else {
        let i = Math.floor(random() * N);
        while (used.has(i)) i = Math.floor(random() * N);
        used.add(i);
        events.push({ id: `bench-upd-${b}-${k}`, dossierCode: seeded(i).code, occurredAt: nowIso, status: 4, vendorStatus: "Đang xử lý", note: "bench" });
      }
    }
    batches.push(JSON.stringify({ events }));
  }
  const post = async (body: string) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await fetch(`${address}${DOSSIER_EVENTS_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-timestamp": ts, "x-signature": `sha256=${signDossierEvents(secret, ts, body)}` },
      body,
    });
    if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { applied: number; duplicates: number; stale: number; rejected: number };
  };
  let applied = 0;
  let next = 0;
  t = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) {
        const r = await post(batches[next++]!);
        applied += r.applied;
      }
    }),
  );
  const ingestS = (performance.now() - t) / 1000;
  const perS = Math.round(EVENTS / ingestS);
  console.log(
    `Ingest: ${EVENTS.toLocaleString("en")} events in ${batches.length} signed batches of ${BATCH} over HTTP (${CONCURRENCY} at a time): ${applied} applied in ${ingestS.toFixed(2)} s = ${perS} events/s`,
  );
  console.log(`Targets: lookup p95 ≤ 5 ms (${pct(95) <= 5 ? "met" : "MISSED"}), ingest ≥ 2,000 events/s (${perS >= 2000 ? "met" : "MISSED"})`);
  console.log(JSON.stringify({ dossiers: N, lookup_p50_ms: pct(50), lookup_p95_ms: pct(95), ingest_per_s: perS }));
} finally {
  await app?.close();
  await db.close();
  await scratch.drop();
}
