import { z } from "zod";
import type { DossierEvent, DossierStatus, SubmissionChannel } from "./types.ts";

/**
 * The boundary schema for dossier events from one-stop systems (HTTP API and file import).
 *
 * - Dates are ISO 8601 strings: a date-time must carry its offset (`2025-03-12T08:30:00+07:00` or `…Z`);
 *   a bare date (`2025-03-12`) means midnight in Vietnam (+07:00).
 * - Strings are trimmed; empty strings after trimming are refused where a value is required.
 * - **Unknown keys are rejected** (not stripped): an integrator who misspells `appointmentAt` learns it at
 *   once instead of silently losing the date.
 * - `phone` may hold digits, spaces and `+` only, with at least 4 digits; only its last 4 digits are used
 *   (as a keyed hash, by the repository).
 */

export const MAX_EVENTS_PER_BATCH = 1000;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const isoDate = z
  .string({ error: "expected an ISO 8601 date (2025-03-12) or date-time with offset (2025-03-12T08:30:00+07:00)" })
  .trim()
  .max(40)
  .refine((s) => ISO_DATE.test(s) || ISO_DATE_TIME.test(s), "expected an ISO 8601 date (2025-03-12) or date-time with offset (2025-03-12T08:30:00+07:00)")
  .transform((s) => new Date(ISO_DATE.test(s) ? `${s}T00:00:00+07:00` : s))
  .refine((d) => !Number.isNaN(d.getTime()), "not a real date");

const text = (max: number) => z.string({ error: "expected a string" }).trim().min(1, "must not be empty").max(max, `at most ${max} characters`);

const status = z
  .number({ error: "expected a status code 1–10" })
  .int("expected a status code 1–10")
  .min(1, "expected a status code 1–10")
  .max(10, "expected a status code 1–10")
  .transform((n) => n as DossierStatus);

const channel = z
  .number({ error: "expected a channel 1 (in person), 2 (online) or 3 (post)" })
  .int()
  .min(1, "expected a channel 1 (in person), 2 (online) or 3 (post)")
  .max(3, "expected a channel 1 (in person), 2 (online) or 3 (post)")
  .transform((n) => n as SubmissionChannel);

const phone = z
  .string({ error: "expected a phone number as a string" })
  .trim()
  .max(20, "at most 20 characters")
  .regex(/^[0-9+ ]+$/, "digits, spaces and + only")
  .refine((p) => p.replace(/\D/g, "").length >= 4, "at least 4 digits");

export const DossierEventSchema = z
  .object({
    id: text(128),
    dossierCode: text(64),
    occurredAt: isoDate,
    status: status.optional(),
    vendorStatus: text(200).optional(),
    receiptNo: text(64).optional(),
    procedureCode: text(64).optional(),
    procedureName: text(500).optional(),
    unitCode: text(64).optional(),
    unitName: text(300).optional(),
    channel: channel.optional(),
    receivedAt: isoDate.optional(),
    appointmentAt: isoDate.optional(),
    finishedAt: isoDate.optional(),
    returnedAt: isoDate.optional(),
    supplement: z
      .object({
        requestedAt: isoDate,
        items: z.array(text(500)).max(50, "at most 50 items"),
        resolvedAt: isoDate.optional(),
      })
      .strict()
      .optional(),
    reschedule: z.object({ newAppointmentAt: isoDate, reason: text(1000) }).strict().optional(),
    feesDue: z
      .object({
        amount: z.number({ error: "expected an amount in VND or null" }).nonnegative().max(1e12).nullable(),
        note: z.string().trim().max(500).nullable(),
      })
      .strict()
      .optional(),
    resultDelivery: z.enum(["counter", "post", "online"], { error: "expected counter, post or online" }).optional(),
    phone: phone.optional(),
    note: text(1000).optional(),
  })
  .strict();

export const DossierEventBatchSchema = z
  .object({
    events: z
      .array(DossierEventSchema, { error: "expected an array of events" })
      .min(1, "at least one event")
      .max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per request`),
  })
  .strict();

// The schema's output must stay assignable to the core's type.
type _Check = z.output<typeof DossierEventSchema> extends DossierEvent ? true : never;
const _check: _Check = true;
void _check;

/** One validation problem, located: which event (in a batch) and which field. */
export interface EventProblem {
  /** Index in the batch (0-based); absent for problems with the envelope or a single event. */
  event?: number;
  /** Dotted path inside the event (`supplement.requestedAt`); "" for the event or envelope itself. */
  field: string;
  message: string;
}

/** Turns a zod error from either schema into located problems. */
export function describeEventProblems(error: z.ZodError): EventProblem[] {
  return error.issues.map((issue) => {
    const path = [...issue.path];
    let event: number | undefined;
    if (path[0] === "events" && typeof path[1] === "number") {
      event = path[1];
      path.splice(0, 2);
    }
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    return {
      ...(event !== undefined ? { event } : {}),
      field: path.map(String).join("."),
      message: issue.message + keys,
    };
  });
}

/** The documented CSV columns, in order (README "Dossier events"). */
export const CSV_COLUMNS = [
  "event_id",
  "dossier_code",
  "occurred_at",
  "status",
  "vendor_status",
  "receipt_no",
  "procedure_code",
  "procedure_name",
  "unit_code",
  "unit_name",
  "channel",
  "received_at",
  "appointment_at",
  "finished_at",
  "returned_at",
  "supplement_items",
  "supplement_requested_at",
  "supplement_resolved_at",
  "new_appointment_at",
  "reschedule_reason",
  "fees_amount",
  "fees_note",
  "result_delivery",
  "phone",
  "note",
] as const;

/**
 * Maps a flat CSV row (header → cell) onto the event input the schema validates. Empty cells mean
 * "not given". Numbers are converted when they look like numbers (else left as text for the schema to
 * refuse, naming the field). `supplement_items` are separated by `|`; a supplement needs
 * `supplement_requested_at`, a reschedule needs `new_appointment_at` (and its reason).
 */
export function csvRowToEventInput(row: Record<string, string | undefined>): Record<string, unknown> {
  const cell = (name: string): string | undefined => {
    const v = row[name]?.trim();
    return v ? v : undefined;
  };
  const num = (name: string): number | string | undefined => {
    const v = cell(name);
    if (v === undefined) return undefined;
    return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  };
  const out: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value;
  };
  put("id", cell("event_id"));
  put("dossierCode", cell("dossier_code"));
  put("occurredAt", cell("occurred_at"));
  put("status", num("status"));
  put("vendorStatus", cell("vendor_status"));
  put("receiptNo", cell("receipt_no"));
  put("procedureCode", cell("procedure_code"));
  put("procedureName", cell("procedure_name"));
  put("unitCode", cell("unit_code"));
  put("unitName", cell("unit_name"));
  put("channel", num("channel"));
  put("receivedAt", cell("received_at"));
  put("appointmentAt", cell("appointment_at"));
  put("finishedAt", cell("finished_at"));
  put("returnedAt", cell("returned_at"));
  const items = cell("supplement_items");
  const requestedAt = cell("supplement_requested_at");
  const resolvedAt = cell("supplement_resolved_at");
  if (requestedAt !== undefined || items !== undefined || resolvedAt !== undefined) {
    out.supplement = {
      requestedAt,
      items: items ? items.split("|").map((s) => s.trim()).filter(Boolean) : [],
      ...(resolvedAt !== undefined ? { resolvedAt } : {}),
    };
  }
  const newAppointmentAt = cell("new_appointment_at");
  const reason = cell("reschedule_reason");
  if (newAppointmentAt !== undefined || reason !== undefined) out.reschedule = { newAppointmentAt, reason };
  const amount = num("fees_amount");
  const feesNote = cell("fees_note");
  if (amount !== undefined || feesNote !== undefined) out.feesDue = { amount: amount ?? null, note: feesNote ?? null };
  put("resultDelivery", cell("result_delivery"));
  put("phone", cell("phone"));
  put("note", cell("note"));
  return out;
}
