import { createHmac, timingSafeEqual } from "node:crypto";
import type pg from "pg";
import type {
  Dossier,
  DossierEvent,
  DossierHistoryItem,
  DossierStatus,
  EventOutcome,
  IngestResult,
  ParsedDossierCode,
  ResultDelivery,
  SubmissionChannel,
} from "../../core/cases/types.ts";
import { parseDossierCode } from "../../core/cases/dossier-code.ts";
import type { CaseRepository } from "../../core/ports.ts";

/**
 * Dossiers over Postgres: lookups for citizens and the set-based ingest of one-stop events.
 *
 * Ingest rules (one transaction per batch, a handful of statements whatever its size):
 * - **Idempotent by event id.** An id already stored (or repeated in the batch) is a `duplicate` and
 *   changes nothing.
 * - **Out-of-order safe.** Events of one dossier are applied in `occurredAt` order. An event at or after
 *   the dossier's `status_at` is `applied`: its status (if any) becomes the dossier's and every field it
 *   names overwrites. An older event is `stale`: it is kept in the history and only fills fields that
 *   are still empty (a supplement period with a new request date is added; a pending one gets its
 *   resolution date) — it never overwrites anything, the status least of all.
 * - **Creation.** The first event(s) of an unknown code create the dossier, which needs a status: when
 *   none of the batch's events for that new code carries one, they are all `rejected` (not stored, so the
 *   system can resend them after the creating event).
 * - **No personal data.** The phone number is reduced to its last 4 digits and stored only as
 *   hex HMAC-SHA256(app_secrets.dossier_factor_key, `${code}:${digits}`); the stored payload omits it.
 * - **Outbox.** Each applied status change of a dossier with subscribers writes one `status`
 *   notification per subscription (and a `rating` one when the new status is 9 or 10), in the same
 *   transaction; the unique key makes replays unable to notify twice.
 */
export interface DossierRepository extends CaseRepository {
  ingest(events: DossierEvent[]): Promise<IngestResult>;
}

/** A dossier code from a one-stop system, made canonical (codes from systems are complete). */
export type CanonicalCode =
  | { kind: "national"; code: string; lookupKey: string; unitParts: string[] }
  | { kind: "receipt"; code: string };

const AGENCY = /^[A-Z]\d{2}$/;
const NATIONAL = /^([0-9A-Z.]+)-(\d{6})-(\d{1,4})$/;

/**
 * The citizen-side parser decides first (so both sides agree on the canonical form, e.g. unit segments
 * padded to 3/2/2 digits); what it cannot read as a full code falls back to this module's rule:
 * `000.00.12.h29-250312-42` → national `000.00.12.H29-250312-0042` (key `H29-250312-0042`, units
 * 000/00/12); anything else is a receipt number, upper-cased with inner spaces removed.
 */
export function canonicalDossierCode(raw: string): CanonicalCode {
  const parsed = parseDossierCode(raw);
  if (parsed?.kind === "national" && parsed.canonical) {
    return { kind: "national", code: parsed.canonical, lookupKey: parsed.key, unitParts: parsed.unitParts.map((u, i) => u.padStart(i === 0 ? 3 : 2, "0")) };
  }
  const s = raw.normalize("NFC").trim().toUpperCase().replace(/\s+/g, "");
  const m = NATIONAL.exec(s);
  if (m) {
    const segments = m[1]!.split(".");
    const agencies = segments.filter((x) => AGENCY.test(x));
    const units = segments.filter((x) => !AGENCY.test(x));
    if (agencies.length === 1 && units.every((u) => /^\d{1,3}$/.test(u))) {
      const seq = m[3]!.padStart(4, "0");
      const prefix = segments.join(".");
      return {
        kind: "national",
        code: `${prefix}-${m[2]}-${seq}`,
        lookupKey: `${agencies[0]}-${m[2]}-${seq}`,
        unitParts: units,
      };
    }
  }
  return { kind: "receipt", code: s };
}

interface Supplement {
  requestedAt: string;
  resolvedAt: string | null;
  items: string[];
}

/** The dossiers row as this module reads and writes it. */
interface Row {
  code: string;
  lookup_key: string | null;
  unit_parts: string[];
  receipt_no: string | null;
  procedure_code: string | null;
  procedure_name: string | null;
  unit_code: string | null;
  unit_name: string | null;
  channel: number | null;
  status: number | null;
  vendor_status: string | null;
  status_at: Date | null;
  received_at: Date | null;
  appointment_at: Date | null;
  rescheduled_at: Date | null;
  reschedule_reason: string | null;
  finished_at: Date | null;
  returned_at: Date | null;
  supplements: Supplement[];
  fees_due: { amount: number | null; note: string | null } | null;
  result_delivery: string | null;
  factor_hash: string | null;
}

const COLUMNS =
  "code, lookup_key, unit_parts, receipt_no, procedure_code, procedure_name, unit_code, unit_name, channel, status, vendor_status, status_at, received_at, appointment_at, rescheduled_at, reschedule_reason, finished_at, returned_at, supplements, fees_due, result_delivery, factor_hash";

const RECORD_TYPES = `code text, lookup_key text, unit_parts text[], receipt_no text, procedure_code text, procedure_name text,
  unit_code text, unit_name text, channel smallint, status smallint, vendor_status text, status_at timestamptz,
  received_at timestamptz, appointment_at timestamptz, rescheduled_at timestamptz, reschedule_reason text,
  finished_at timestamptz, returned_at timestamptz, supplements jsonb, fees_due jsonb, result_delivery text, factor_hash text`;

const UPDATABLE = COLUMNS.split(", ").filter((c) => c !== "code");

function toDossier(r: Row): Dossier {
  return {
    code: r.code,
    receiptNo: r.receipt_no,
    procedureCode: r.procedure_code,
    procedureName: r.procedure_name,
    unitName: r.unit_name,
    channel: r.channel as SubmissionChannel | null,
    status: r.status as DossierStatus,
    vendorStatus: r.vendor_status,
    receivedAt: r.received_at,
    appointmentAt: r.appointment_at,
    rescheduledAt: r.rescheduled_at,
    rescheduleReason: r.reschedule_reason,
    finishedAt: r.finished_at,
    returnedAt: r.returned_at,
    supplements: (r.supplements ?? []).map((s) => ({
      requestedAt: new Date(s.requestedAt),
      resolvedAt: s.resolvedAt ? new Date(s.resolvedAt) : null,
      items: s.items ?? [],
    })),
    feesDue: r.fees_due ?? null,
    resultDelivery: r.result_delivery as ResultDelivery | null,
  };
}

/** Leading zeros ignored: "012" and "12" name the same unit. */
const unitNumber = (s: string) => s.replace(/^0+(?=.)/, "");

function factorHash(key: string, code: string, digits: string): string {
  return createHmac("sha256", key).update(`${code}:${digits}`).digest("hex");
}

/** The last 4 digits of a phone number, or null when it has fewer. */
export function lastFourDigits(phone: string): string | null {
  const digits = phone.replace(/\D/g, "");
  return digits.length >= 4 ? digits.slice(-4) : null;
}

export function createDossierRepository(pool: pg.Pool): DossierRepository {
  let keyPromise: Promise<string> | undefined;
  const factorKey = () => {
    keyPromise ??= pool
      .query<{ value: string }>("select value from app_secrets where name = 'dossier_factor_key'")
      .then((r) => {
        const v = r.rows[0]?.value;
        if (!v) throw new Error("app_secrets has no dossier_factor_key (run the migrations)");
        return v;
      });
    keyPromise.catch(() => (keyPromise = undefined));
    return keyPromise;
  };

  const selectOne = async (code: string): Promise<Row | null> =>
    (await pool.query<Row>({ name: "dossier-by-code", text: `select ${COLUMNS} from dossiers where code = $1`, values: [code] })).rows[0] ?? null;

  return {
    async find(parsed: ParsedDossierCode) {
      if (parsed.kind === "receipt") {
        const key = parsed.canonical.trim().toUpperCase();
        const r = await pool.query<Row>({ name: "dossier-by-receipt", text: `select ${COLUMNS} from dossiers where upper(receipt_no) = $1 or code = $1 limit 2`, values: [key] });
        return r.rows.length === 1 ? toDossier(r.rows[0]!) : null;
      }
      const r = await pool.query<Row>({ name: "dossier-by-key", text: `select ${COLUMNS} from dossiers where lookup_key = $1 limit 50`, values: [parsed.key.toUpperCase()] });
      const wanted = parsed.unitParts.map(unitNumber);
      const canonical = parsed.canonical?.toUpperCase() ?? null;
      const hits = r.rows.filter((row) => {
        if (canonical !== null && row.code !== canonical) return false;
        const have = new Set(row.unit_parts.map(unitNumber));
        return wanted.every((u) => have.has(u));
      });
      return hits.length === 1 ? toDossier(hits[0]!) : null;
    },

    async get(code) {
      const row = await selectOne(code);
      return row ? toDossier(row) : null;
    },

    async verify(code, digits) {
      const [row, key] = await Promise.all([
        pool.query<{ factor_hash: string | null }>({ name: "dossier-factor", text: "select factor_hash from dossiers where code = $1", values: [code] }).then((r) => r.rows[0]),
        factorKey(),
      ]);
      const clean = /^\d{4}$/.test(digits) ? digits : "";
      const expected = Buffer.from(factorHash(key, code, clean), "hex");
      const stored = row?.factor_hash && /^[0-9a-f]{64}$/.test(row.factor_hash) ? Buffer.from(row.factor_hash, "hex") : Buffer.alloc(32);
      const same = timingSafeEqual(expected, stored);
      return same && clean !== "" && !!row?.factor_hash;
    },

    async history(code) {
      const r = await pool.query<{ occurred_at: Date; status: number | null; vendor_status: string | null; note: string | null }>({
        name: "dossier-history",
        text: "select occurred_at, status, vendor_status, note from dossier_events where dossier_code = $1 order by occurred_at, received_at, event_id",
        values: [code],
      });
      return r.rows.map(
        (x): DossierHistoryItem => ({ occurredAt: x.occurred_at, status: x.status as DossierStatus | null, vendorStatus: x.vendor_status, note: x.note }),
      );
    },

    async subscribe(code, channel, chatId) {
      await pool.query(
        `insert into dossier_subscriptions (dossier_code, channel, chat_id) values ($1, $2, $3)
         on conflict (dossier_code, channel, chat_id) do update set verified_at = now()`,
        [code, channel, chatId],
      );
    },

    ingest: (events) => ingest(pool, events, factorKey),
  };
}

interface Prepared {
  index: number;
  event: DossierEvent;
  canonical: CanonicalCode;
}

async function ingest(pool: pg.Pool, events: DossierEvent[], factorKey: () => Promise<string>): Promise<IngestResult> {
  const outcomes: ({ outcome: EventOutcome; reason?: string } | undefined)[] = new Array(events.length);
  const prepared: Prepared[] = [];
  const seen = new Set<string>();
  events.forEach((event, index) => {
    if (seen.has(event.id)) outcomes[index] = { outcome: "duplicate" };
    else {
      seen.add(event.id);
      prepared.push({ index, event, canonical: canonicalDossierCode(event.dossierCode) });
    }
  });
  const procedureCodes = [...new Set(events.map((e) => e.procedureCode).filter((c): c is string => !!c))];
  const key = await factorKey();
  const codes = [...new Set(prepared.map((p) => p.canonical.code))];

  const client = await pool.connect();
  let notifications = 0;
  let unknownProcedures: string[] = [];
  try {
    await client.query("begin");
    // One dossier is ingested by one transaction at a time (two batches creating the same new dossier
    // would otherwise each start from nothing). Sorted, so concurrent batches cannot deadlock.
    await client.query(
      `select pg_advisory_xact_lock(k) from (select distinct hashtextextended(c, 7401) k from unnest($1::text[]) c order by 1) s`,
      [codes],
    );
    // Sequential on purpose: one client runs one query at a time.
    const existing = await client.query<Row>(`select ${COLUMNS} from dossiers where code = any($1::text[])`, [codes]);
    const known = await client.query<{ event_id: string }>(`select event_id from dossier_events where event_id = any($1::text[])`, [
      prepared.map((p) => p.event.id),
    ]);
    const procs = procedureCodes.length
      ? await client.query<{ code: string }>(`select code from procedures where code = any($1::text[])`, [procedureCodes])
      : { rows: [] as { code: string }[] };
    const knownProcs = new Set(procs.rows.map((r) => r.code));
    unknownProcedures = procedureCodes.filter((c) => !knownProcs.has(c)).sort();
    const stored = new Set(known.rows.map((r) => r.event_id));
    const states = new Map<string, Row>(existing.rows.map((r) => [r.code, r]));

    // Group the new events by dossier, oldest first (input order breaks ties).
    const byCode = new Map<string, Prepared[]>();
    for (const p of prepared) {
      if (stored.has(p.event.id)) {
        outcomes[p.index] = { outcome: "duplicate" };
        continue;
      }
      const list = byCode.get(p.canonical.code) ?? [];
      list.push(p);
      byCode.set(p.canonical.code, list);
    }

    const changedRows: Row[] = [];
    const eventRows: Record<string, unknown>[] = [];
    const statusChanges: { event_id: string; code: string; status: number }[] = [];
    for (const [code, list] of byCode) {
      list.sort((a, b) => a.event.occurredAt.getTime() - b.event.occurredAt.getTime() || a.index - b.index);
      const before = states.get(code);
      const row: Row = before ? { ...before, supplements: [...(before.supplements ?? [])] } : emptyRow(list[0]!.canonical);
      const local: { p: Prepared; outcome: "applied" | "stale"; statusChanged: boolean }[] = [];
      for (const p of list) {
        const r = applyEvent(row, p.event, key);
        local.push({ p, ...r });
      }
      if (row.status === null) {
        for (const { p } of local) outcomes[p.index] = { outcome: "rejected", reason: "unknown dossier: its first event must carry a status" };
        continue;
      }
      changedRows.push(row);
      for (const { p, outcome, statusChanged } of local) {
        outcomes[p.index] = { outcome };
        const { phone: _phone, ...payload } = p.event;
        eventRows.push({
          event_id: p.event.id,
          dossier_code: code,
          occurred_at: p.event.occurredAt.toISOString(),
          status: p.event.status ?? null,
          vendor_status: p.event.vendorStatus ?? null,
          note: p.event.note ?? null,
          payload,
          outcome,
        });
        if (statusChanged && before) statusChanges.push({ event_id: p.event.id, code, status: p.event.status! });
      }
    }

    if (changedRows.length > 0) {
      await client.query(
        `insert into dossiers (${COLUMNS})
         select ${COLUMNS} from jsonb_to_recordset($1::jsonb) as r(${RECORD_TYPES})
         on conflict (code) do update set ${UPDATABLE.map((c) => `${c} = excluded.${c}`).join(", ")}, updated_at = now()`,
        [JSON.stringify(changedRows)],
      );
      await client.query(
        `insert into dossier_events (event_id, dossier_code, occurred_at, status, vendor_status, note, payload, outcome)
         select event_id, dossier_code, occurred_at, status, vendor_status, note, payload, outcome
         from jsonb_to_recordset($1::jsonb) as r(event_id text, dossier_code text, occurred_at timestamptz, status smallint,
           vendor_status text, note text, payload jsonb, outcome text)
         on conflict (event_id) do nothing`,
        [JSON.stringify(eventRows)],
      );
    }
    if (statusChanges.length > 0) {
      const n = await client.query(
        `insert into dossier_notifications (kind, event_id, dossier_code, channel, chat_id, status)
         select k.kind, c.event_id, c.code, s.channel, s.chat_id, c.status
         from jsonb_to_recordset($1::jsonb) as c(event_id text, code text, status smallint)
         join dossier_subscriptions s on s.dossier_code = c.code
         cross join (values ('status'), ('rating')) as k(kind)
         where k.kind = 'status' or c.status in (9, 10)
         on conflict (kind, event_id, channel, chat_id) do nothing`,
        [JSON.stringify(statusChanges)],
      );
      notifications = n.rowCount ?? 0;
    }
    await client.query("commit");
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return {
    results: events.map((e, i) => ({ id: e.id, ...(outcomes[i] ?? { outcome: "duplicate" as const }) })),
    unknownProcedures,
    notifications,
  };
}

function emptyRow(c: CanonicalCode): Row {
  return {
    code: c.code,
    lookup_key: c.kind === "national" ? c.lookupKey : null,
    unit_parts: c.kind === "national" ? c.unitParts : [],
    receipt_no: c.kind === "receipt" ? c.code : null,
    procedure_code: null,
    procedure_name: null,
    unit_code: null,
    unit_name: null,
    channel: null,
    status: null,
    vendor_status: null,
    status_at: null,
    received_at: null,
    appointment_at: null,
    rescheduled_at: null,
    reschedule_reason: null,
    finished_at: null,
    returned_at: null,
    supplements: [],
    fees_due: null,
    result_delivery: null,
    factor_hash: null,
  };
}

/** Applies one event to the row in place (rules above); says whether it was fresh and changed the status. */
function applyEvent(row: Row, e: DossierEvent, key: string): { outcome: "applied" | "stale"; statusChanged: boolean } {
  const fresh = row.status_at === null || e.occurredAt.getTime() >= new Date(row.status_at).getTime();
  const set = <K extends keyof Row>(field: K, value: Row[K] | undefined) => {
    if (value === undefined) return;
    if (fresh || row[field] === null) row[field] = value;
  };
  let statusChanged = false;
  if (e.status !== undefined && fresh) {
    statusChanged = row.status !== e.status;
    row.status = e.status;
    row.vendor_status = e.vendorStatus ?? null;
    row.status_at = e.occurredAt;
  } else {
    set("vendor_status", e.status === undefined ? e.vendorStatus : undefined);
  }
  set("receipt_no", e.receiptNo);
  set("procedure_code", e.procedureCode);
  set("procedure_name", e.procedureName);
  set("unit_code", e.unitCode);
  set("unit_name", e.unitName);
  set("channel", e.channel);
  set("received_at", e.receivedAt);
  set("appointment_at", e.appointmentAt);
  set("finished_at", e.finishedAt);
  set("returned_at", e.returnedAt);
  // A closing status without its date closes at the event's time: otherwise a dossier finished late
  // would read as on time (overdue is computed from finished_at).
  if (fresh && (e.status === 9 || e.status === 10) && row.finished_at === null) row.finished_at = e.occurredAt;
  if (fresh && e.status === 10 && row.returned_at === null) row.returned_at = e.occurredAt;
  set("rescheduled_at", e.reschedule?.newAppointmentAt);
  set("reschedule_reason", e.reschedule?.reason);
  set("fees_due", e.feesDue);
  set("result_delivery", e.resultDelivery);
  if (e.phone !== undefined) {
    const digits = lastFourDigits(e.phone);
    if (digits) set("factor_hash", factorHash(key, row.code, digits));
  }
  if (e.supplement) {
    const requestedAt = e.supplement.requestedAt.toISOString();
    const resolvedAt = e.supplement.resolvedAt?.toISOString() ?? null;
    const same = row.supplements.find((s) => new Date(s.requestedAt).getTime() === e.supplement!.requestedAt.getTime());
    if (!same) {
      row.supplements.push({ requestedAt, resolvedAt, items: e.supplement.items });
      row.supplements.sort((a, b) => Date.parse(a.requestedAt) - Date.parse(b.requestedAt));
    } else {
      if (resolvedAt !== null && (fresh || same.resolvedAt === null)) same.resolvedAt = resolvedAt;
      if (e.supplement.items.length > 0 && (fresh || same.items.length === 0)) same.items = e.supplement.items;
    }
  }
  return { outcome: fresh ? "applied" : "stale", statusChanged };
}
