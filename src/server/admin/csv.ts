/**
 * CSV for the report downloads, made to open cleanly in Excel and LibreOffice:
 * - UTF-8 with a BOM (Excel needs it to read Vietnamese letters), CRLF line ends, comma separators;
 * - RFC 4180 quoting: a field with a comma, a double quote, CR or LF is quoted, quotes doubled;
 * - numbers written plain, with a dot as the decimal mark and no thousands separator (`1234`, `12.5`);
 *   percentages are numbers 0–100 in columns whose header starts with "%" or ends with "(%)";
 * - formula injection guarded: a text cell starting with =, +, -, @, tab or CR gets a leading `'`,
 *   so a citizen's comment is never run as a formula. Numbers are never altered.
 */

export type CsvCell = string | number | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

function field(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : "";
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The whole file: BOM, the header line, one line per row, each line ending in CRLF. */
export function toCsv(headers: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [headers, ...rows].map((row) => row.map(field).join(","));
  return `\uFEFF${lines.map((line) => `${line}\r\n`).join("")}`;
}
