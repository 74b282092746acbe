import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { DossierEventSchema, csvRowToEventInput, describeEventProblems } from "../core/cases/event-schema.ts";
import type { DossierEvent } from "../core/cases/types.ts";
import { createDossierRepository, type DossierRepository } from "../adapters/postgres/dossier-repository.ts";
import { CsvParser } from "./csv.ts";
import { runCli } from "./context.ts";

/**
 * `npm run dossiers:import -- <file.csv|file.jsonl>`: streams a file of dossier events (CSV with the
 * documented header, or one JSON event per line), validates each record (a bad one is reported with its
 * line number and skipped), ingests in batches of 500 and prints a summary. Idempotent: event ids that were
 * already imported count as duplicates. Last line:
 * {"read", "applied", "duplicates", "stale", "invalid", "unknown_procedures", "ms"}.
 */
const BATCH = 500;
const MAX_REPORTED = 200;

interface Item {
  line: number;
  input?: unknown;
  error?: string;
}

async function* jsonlItems(file: string): AsyncGenerator<Item> {
  const rl = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let line = 0;
  for await (const raw of rl) {
    line++;
    const text = line === 1 ? raw.replace(/^\uFEFF/, "") : raw;
    if (!text.trim()) continue;
    try {
      yield { line, input: JSON.parse(text) };
    } catch (error) {
      yield { line, error: `not JSON (${(error as Error).message})` };
    }
  }
}

async function* csvItems(file: string): AsyncGenerator<Item> {
  const parser = new CsvParser();
  let header: string[] | undefined;
  const toItems = function* (records: ReturnType<CsvParser["push"]>): Generator<Item> {
    for (const r of records) {
      if (!header) {
        header = r.fields.map((h) => h.trim().toLowerCase());
        continue;
      }
      if (r.fields.length === 1 && r.fields[0]!.trim() === "") continue;
      if (r.fields.length !== header.length) {
        yield { line: r.line, error: `expected ${header.length} columns, found ${r.fields.length}` };
        continue;
      }
      yield { line: r.line, input: csvRowToEventInput(Object.fromEntries(header.map((h, i) => [h, r.fields[i]]))) };
    }
  };
  for await (const chunk of createReadStream(file, { encoding: "utf8" })) yield* toItems(parser.push(chunk as string));
  yield* toItems(parser.end());
}

export async function importDossierFile(
  file: string,
  repo: DossierRepository,
  print: (line: string) => void,
): Promise<{ read: number; applied: number; duplicates: number; stale: number; invalid: number; unknown_procedures: number; ms: number }> {
  const t0 = performance.now();
  const totals = { read: 0, applied: 0, duplicates: 0, stale: 0, invalid: 0 };
  const unknown = new Set<string>();
  let reported = 0;
  const report = (line: number, message: string) => {
    totals.invalid++;
    if (reported++ < MAX_REPORTED) print(`line ${line}: ${message}`);
    else if (reported === MAX_REPORTED + 1) print(`… more invalid lines not shown`);
  };
  let batch: { line: number; event: DossierEvent }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await repo.ingest(batch.map((b) => b.event));
    r.unknownProcedures.forEach((c) => unknown.add(c));
    r.results.forEach((x, i) => {
      if (x.outcome === "applied") totals.applied++;
      else if (x.outcome === "duplicate") totals.duplicates++;
      else if (x.outcome === "stale") totals.stale++;
      else report(batch[i]!.line, `event ${x.id}: ${x.reason ?? "rejected"}`);
    });
    batch = [];
  };
  const items = /\.csv$/i.test(file) ? csvItems(file) : jsonlItems(file);
  for await (const item of items) {
    totals.read++;
    if (item.error !== undefined) {
      report(item.line, item.error);
      continue;
    }
    const parsed = DossierEventSchema.safeParse(item.input);
    if (!parsed.success) {
      report(item.line, describeEventProblems(parsed.error).map((p) => (p.field ? `${p.field}: ${p.message}` : p.message)).join("; "));
      continue;
    }
    batch.push({ line: item.line, event: parsed.data });
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  const ms = Math.round(performance.now() - t0);
  if (unknown.size > 0) print(`Unknown procedure codes (accepted anyway): ${[...unknown].sort().slice(0, 50).join(", ")}${unknown.size > 50 ? " …" : ""}`);
  return { ...totals, unknown_procedures: unknown.size, ms };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runCli(async ({ db }, args) => {
    const file = args.find((a) => !a.startsWith("-"));
    if (!file) {
      console.error("Usage: npm run dossiers:import -- <file.csv|file.jsonl>");
      return 2;
    }
    const summary = await importDossierFile(file, createDossierRepository(db.pool), (l) => console.log(l));
    console.log(
      `Read ${summary.read} events from ${file} in ${summary.ms} ms: ${summary.applied} applied, ${summary.duplicates} duplicates, ${summary.stale} stale (older than the status shown), ${summary.invalid} invalid.`,
    );
    console.log(JSON.stringify(summary));
    // Invalid lines are reported above and counted; they do not fail the command.
    return 0;
  });
}
