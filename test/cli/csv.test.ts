import { describe, expect, it } from "vitest";
import { CsvParser, parseCsv } from "../../src/cli/csv.ts";

describe("the CSV parser", () => {
  it("reads quoted fields with commas, escaped quotes and line breaks, CRLF and a BOM", () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"line one\nline two",\r\n\r\n3,,last';
    expect(parseCsv(text)).toEqual([
      { fields: ["a", "b", "c"], line: 1 },
      { fields: ["1", "x, y", 'say "hi"'], line: 2 },
      { fields: ["2", "line one\nline two", ""], line: 3 },
      { fields: ["3", "", "last"], line: 6 },
    ]);
  });

  it("gives the same records whatever the chunking", () => {
    const text = 'h1,h2\n"a""b","c\r\nd"\r\ne,f\n';
    const whole = parseCsv(text);
    for (let size = 1; size < 6; size++) {
      const p = new CsvParser();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      out.push(...p.end());
      expect(out.map((r) => r.fields)).toEqual(whole.map((r) => r.fields));
    }
  });
});
