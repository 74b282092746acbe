import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { CSV_COLUMNS } from "../../src/core/cases/event-schema.ts";


const last = (out: string) => JSON.parse(out.trim().split("\n").at(-1)!);

describe("the dossiers:import command", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tthc-dossiers-"));
    const row = (cells: Partial<Record<(typeof CSV_COLUMNS)[number], string>>) => CSV_COLUMNS.map((c) => cells[c] ?? "").join(",");
    const csv = [
      CSV_COLUMNS.join(","),
      row({ event_id: "c1", dossier_code: "000.00.12.H29-250312-0042", occurred_at: "2025-03-12T08:00:00+07:00", status: "2", procedure_name: '"Cấp phép, xây dựng"', phone: "0912 345 678" }),
      row({ event_id: "c2", dossier_code: "000.00.12.H29-250312-0042", occurred_at: "2025-03-14", status: "5", supplement_items: "Bản vẽ|Giấy tờ đất", supplement_requested_at: "2025-03-14", note: '"Ghi chú ""quan trọng""\nhai dòng"' }),
      row({ event_id: "c3", dossier_code: "000.00.12.H29-250312-0042", occurred_at: "2025-03-13", status: "42" }),
      row({ event_id: "c4", dossier_code: "BN-2025-1", occurred_at: "2025-03-13", status: "1", procedure_code: "9.999" }),
    ].join("\r\n");
    await writeFile(path.join(dir, "events.csv"), "\uFEFF" + csv + "\r\n");
    const jsonl = [
      JSON.stringify({ id: "j1", dossierCode: "000.00.12.H29-250312-0042", occurredAt: "2025-03-13T08:00:00+07:00", status: 4 }),
      "{ not json",
      JSON.stringify({ id: "c1", dossierCode: "000.00.12.H29-250312-0042", occurredAt: "2025-03-12T08:00:00+07:00", status: 2 }),
      "",
      JSON.stringify({ id: "j2", dossierCode: "BN-NEW", occurredAt: "2025-03-13T08:00:00+07:00", note: "no status" }),
    ].join("\n");
    await writeFile(path.join(dir, "events.jsonl"), jsonl);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("imports a CSV and a JSONL file, reporting bad lines by number and going on", async () => {
    const env = { DATA_DIR: path.join(dir, "data") };
    const out1 = await cli("dossiers-import.ts", [path.join(dir, "events.csv")], env);
    expect(out1).toMatch(/^line 5: status: expected a status code 1–10$/m);
    expect(out1).toContain("9.999");
    expect(last(out1)).toMatchObject({ read: 4, applied: 3, duplicates: 0, stale: 0, invalid: 1, unknown_procedures: 1 });

    const out2 = await cli("dossiers-import.ts", [path.join(dir, "events.jsonl")], env);
    expect(out2).toMatch(/^line 2: not JSON/m);
    expect(out2).toMatch(/^line 5: event j2: unknown dossier/m);
    // j1 (13 March) is older than the supplement request of 14 March: kept in history, status unchanged.
    expect(last(out2)).toMatchObject({ read: 4, applied: 0, duplicates: 1, stale: 1, invalid: 2 });

    const again = await cli("dossiers-import.ts", [path.join(dir, "events.csv")], env);
    expect(last(again)).toMatchObject({ read: 4, applied: 0, duplicates: 3, invalid: 1 });
    expect(Object.keys(last(again)).sort()).toEqual(["applied", "duplicates", "invalid", "ms", "read", "stale", "unknown_procedures"]);
  });
});
