/**
 * A small streaming RFC 4180 parser: fields separated by commas, records by CRLF or LF, fields in double
 * quotes may hold commas, line breaks and doubled quotes (`""`). A UTF-8 byte-order mark at the very start
 * is dropped. Feed text chunks with `push`; each finished record comes back with the line it started on.
 */
export interface CsvRecord {
  fields: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
}

export class CsvParser {
  private field = "";
  private fields: string[] = [];
  private quoted = false;
  /** Inside quotes, a quote was just seen: either the closing one or the first of `""`. */
  private quotePending = false;
  private line = 1;
  private recordLine = 1;
  private started = false;
  private atStart = true;
  /** The previous chunk ended in CR: a following LF belongs to the same line break. */
  private lastWasCr = false;

  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let s = chunk;
    if (this.atStart) {
      if (s.length === 0) return out;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
      this.atStart = false;
    }
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (this.lastWasCr) {
        this.lastWasCr = false;
        if (c === "\n") continue;
      }
      if (this.quoted) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.quoted = false; // the quote closed the field; fall through to handle c
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          if (c === "\n" || (c === "\r" && s[i + 1] !== "\n")) this.line++;
          this.field += c;
          continue;
        }
      }
      if (c === '"' && this.field === "" ) {
        this.quoted = true;
        this.started = true;
        continue;
      }
      if (c === ",") {
        this.fields.push(this.field);
        this.field = "";
        this.started = true;
        continue;
      }
      if (c === "\r" || c === "\n") {
        if (c === "\r") this.lastWasCr = true;
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
        continue;
      }
      this.field += c;
      this.started = true;
    }
    return out;
  }

  /** The last record, when the file does not end with a line break. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.quotePending) {
      this.quotePending = false;
      this.quoted = false;
    }
    this.endRecord(out);
    return out;
  }

  private endRecord(out: CsvRecord[]) {
    if (this.started || this.field !== "" || this.fields.length > 0) {
      this.fields.push(this.field);
      out.push({ fields: this.fields, line: this.recordLine });
    }
    this.fields = [];
    this.field = "";
    this.started = false;
    this.quoted = false;
  }
}

/** Parses a whole CSV text (tests and small files). */
export function parseCsv(text: string): CsvRecord[] {
  const p = new CsvParser();
  return [...p.push(text), ...p.end()];
}
