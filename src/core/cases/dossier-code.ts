import type { ParsedDossierCode } from "./types.ts";

/**
 * Dossier codes as citizens type them (DOMAIN.md, Circular 01/2018 art. 19): the national format
 * `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX` ("000.00.12.H29-250312-0042"), shortened unit prefixes written
 * agency first ("H29.22-250312-0042", "G01.234-250101-0007"), lower case, spaces instead of dots or
 * dashes, doubled dots; and provinces' free-form receipt numbers ("2508-HC-0045123").
 *
 * Only what is unambiguous is normalised: case, separators, the width of unit segments and of the
 * sequence. A code whose date is not a real day, or whose parts do not fit, is not parsed: the caller
 * treats it as a failed lookup (see `scanDossierCode`), never as a hint of what exists.
 */

/** Widths of the three unit segments of a full national code (V1V2V3, Z1Z2, Y1Y2). */
const UNIT_WIDTHS = [3, 2, 2] as const;
const AGENCY = /^[A-Z]\d{2}$/;
const UNIT = /^\d{1,3}$/;
const RECEIPT = /^\d{2,6}-[A-Z]{1,4}-\d{4,9}$/;
const NATIONAL = /^(.+?)[-\s]+(\d{6})[-\s]+(\d{3,5})$/;

/** Parses one code typed on its own (surrounding spaces allowed); null when it is not a valid code. */
export function parseDossierCode(text: string): ParsedDossierCode | null {
  const s = text.normalize("NFC").trim().toUpperCase();
  if (s.length === 0 || s.length > 64) return null;
  if (RECEIPT.test(s)) return { kind: "receipt", canonical: s };
  const m = NATIONAL.exec(s);
  if (!m) return null;
  const [, prefix, date, rawSeq] = m as unknown as [string, string, string, string];
  if (!validDate(date)) return null;
  const segments = prefix.split(/[.\s]+/).filter((p) => p.length > 0);
  const agencyAt = segments.flatMap((p, i) => (AGENCY.test(p) ? [i] : []));
  if (agencyAt.length !== 1) return null;
  const agency = segments[agencyAt[0]!]!;
  const unitParts = segments.filter((_, i) => i !== agencyAt[0]);
  if (unitParts.length > 3 || !unitParts.every((p) => UNIT.test(p))) return null;
  const seq = rawSeq.padStart(4, "0");
  const key = `${agency}-${date}-${seq}`;
  // The full code is known only when the three unit segments come first, each within its width.
  const full = unitParts.length === 3 && agencyAt[0] === 3 && unitParts.every((p, i) => p.length <= UNIT_WIDTHS[i]!);
  const canonical = full ? `${unitParts.map((p, i) => p.padStart(UNIT_WIDTHS[i]!, "0")).join(".")}.${agency}-${date}-${seq}` : null;
  return { kind: "national", canonical, agency, unitParts, date, seq, key };
}

/** YYMMDD naming a real day (years 2000–2099). */
function validDate(yymmdd: string): boolean {
  const y = 2000 + Number(yymmdd.slice(0, 2));
  const m = Number(yymmdd.slice(2, 4));
  const d = Number(yymmdd.slice(4, 6));
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * What looks like an attempt at a dossier code. The first pattern is the one the dialogue has always
 * routed on (kept so nothing routed before stops routing); the second adds one-digit unit segments
 * ("H12.3-250401-0321") and doubled dots; the third is a receipt number.
 */
const ATTEMPTS: RegExp[] = [
  /(?<![\p{L}\p{N}])(?:[a-z0-9]{2,4}[.\s]){0,4}[a-z0-9]{2,4}[-\s]\d{6}[-\s]\d{3,5}(?![\p{L}\p{N}])/giu,
  /(?<![\p{L}\p{N}])(?:\d{1,3}[.\s]+){0,3}[a-z]\d{2}(?:[.\s]+\d{1,3}){0,3}[-\s]+\d{6}[-\s]+\d{1,5}(?![\p{L}\p{N}])/giu,
  /(?<![\p{L}\p{N}])\d{2,6}-[a-z]{1,4}-\d{4,9}(?![\p{L}\p{N}])/giu,
];

/** A code attempt found in a message: `raw` as typed (upper case), `parsed` null when it is malformed. */
export interface ScannedCode {
  raw: string;
  parsed: ParsedDossierCode | null;
}

/**
 * Finds a dossier code inside a sentence. Returns the first valid code; else the first attempt that
 * does not parse (a bad date, a two-digit sequence…) with `parsed: null`; else null.
 */
export function scanDossierCode(text: string): ScannedCode | null {
  const s = text.normalize("NFC");
  let malformed: ScannedCode | null = null;
  for (const pattern of ATTEMPTS) {
    for (const m of s.matchAll(pattern)) {
      const raw = m[0];
      const parsed = parseDossierCode(raw) ?? parseTail(raw);
      if (parsed) return { raw: raw.toUpperCase(), parsed };
      malformed ??= { raw: raw.toUpperCase(), parsed: null };
    }
  }
  return malformed;
}

/** Finds a valid dossier code inside a sentence, or null. */
export function findDossierCodeIn(text: string): ParsedDossierCode | null {
  return scanDossierCode(text)?.parsed ?? null;
}

/** "ma hs H29.22 250312 0042": the broad pattern may take words before the code; try without them. */
function parseTail(raw: string): ParsedDossierCode | null {
  const words = raw.split(/\s+/);
  for (let i = 1; i < words.length - 1; i++) {
    const parsed = parseDossierCode(words.slice(i).join(" "));
    if (parsed) return parsed;
  }
  return null;
}
