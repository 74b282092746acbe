/**
 * The case-tracking side's shared vocabulary: dossiers as the core sees them, events from the one-stop
 * system, and what a lookup may show. Status codes are the national ones (DOMAIN.md); a vendor's own
 * label is kept beside them.
 */

/** National status codes used to synchronise with the national portal. */
export type DossierStatus = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10;
export const CLOSED_STATUSES: readonly DossierStatus[] = [9, 10];

/** Channel of submission: 1 in person, 2 online, 3 public postal service. */
export type SubmissionChannel = 1 | 2 | 3;

/** How the citizen collects the result, when the one-stop system says. */
export type ResultDelivery = "counter" | "post" | "online";

/** One request to supplement documents (allowed once): paused time while the citizen gathers them. */
export interface SupplementPeriod {
  requestedAt: Date;
  /** When the supplement arrived; null while waiting (the clock is still paused). */
  resolvedAt: Date | null;
  /** What to bring, in the agency's words. */
  items: string[];
}

/** A dossier as the core sees it: no personal data at all (the verifier is a hash, kept in the adapter). */
export interface Dossier {
  /** Canonical code, e.g. `000.00.12.H29-250312-0042`, or a free-form receipt number. */
  code: string;
  receiptNo: string | null;
  procedureCode: string | null;
  procedureName: string | null;
  unitName: string | null;
  channel: SubmissionChannel | null;
  status: DossierStatus;
  vendorStatus: string | null;
  receivedAt: Date | null;
  appointmentAt: Date | null;
  /** The one new date set in an apology letter (phiếu xin lỗi và hẹn lại), with its reason. */
  rescheduledAt: Date | null;
  rescheduleReason: string | null;
  finishedAt: Date | null;
  returnedAt: Date | null;
  supplements: SupplementPeriod[];
  /** Fees the citizen still has to pay (status 6). */
  feesDue: { amount: number | null; note: string | null } | null;
  resultDelivery: ResultDelivery | null;
}

/** One line of a dossier's history (append-only). */
export interface DossierHistoryItem {
  occurredAt: Date;
  status: DossierStatus | null;
  vendorStatus: string | null;
  note: string | null;
}

/**
 * An event from the one-stop system (HTTP API or file import), validated at the boundary.
 * Only `id`, `dossierCode` and `occurredAt` are required; the rest updates what it names.
 */
export interface DossierEvent {
  id: string;
  dossierCode: string;
  occurredAt: Date;
  status?: DossierStatus;
  vendorStatus?: string;
  receiptNo?: string;
  procedureCode?: string;
  procedureName?: string;
  unitCode?: string;
  unitName?: string;
  channel?: SubmissionChannel;
  receivedAt?: Date;
  appointmentAt?: Date;
  finishedAt?: Date;
  returnedAt?: Date;
  /** A supplement request (status 5) or its resolution. */
  supplement?: { requestedAt: Date; items: string[]; resolvedAt?: Date };
  reschedule?: { newAppointmentAt: Date; reason: string };
  feesDue?: { amount: number | null; note: string | null };
  resultDelivery?: ResultDelivery;
  /** The applicant's phone number: only its last 4 digits are kept, as a keyed hash. Never stored raw. */
  phone?: string;
  note?: string;
}

/**
 * What ingesting one event did: applied; stale (older than the dossier's status: kept in the history, it
 * only fills empty fields); duplicate (its id was seen before: nothing changed); rejected (the first event
 * of an unknown dossier carries no status, so there is nothing to create: not stored, may be resent).
 */
export type EventOutcome = "applied" | "stale" | "duplicate" | "rejected";

export interface IngestResult {
  results: { id: string; outcome: EventOutcome; reason?: string }[];
  /** Procedure codes in the batch that the catalogue does not know (accepted anyway). */
  unknownProcedures: string[];
  /** Notifications written to the outbox in the same transaction (one per subscriber and event). */
  notifications: number;
}

/**
 * A dossier code as a citizen typed it, parsed. National codes (`V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX`)
 * are matched by `key` (agency, date, sequence) and then by whichever unit segments were given, so a
 * shortened prefix (`H29.22-250312-0042`) finds the full code. Receipt numbers match exactly.
 */
export type ParsedDossierCode =
  | {
      kind: "national";
      /** The full canonical code when every unit segment was given, else null. */
      canonical: string | null;
      /** The agency part MX1X2, upper case (H29 = a province, G01 = a ministry). */
      agency: string;
      /** The other unit segments as typed (e.g. ["000", "00", "12"] or ["22"]). */
      unitParts: string[];
      /** YYMMDD. */
      date: string;
      /** The daily sequence, zero-padded to 4 digits. */
      seq: string;
      /** `${agency}-${date}-${seq}`: what the database indexes for national codes. */
      key: string;
    }
  | { kind: "receipt"; canonical: string };
