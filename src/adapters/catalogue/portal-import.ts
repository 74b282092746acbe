import path from "node:path";
import type { CatalogueWriter, UpsertCounts } from "../../core/ports.ts";
import type { PortalProcedure } from "../../core/procedure.ts";
import { listFiles, readJson } from "./knowledge-files.ts";
import { parsePortalRecord, type ParseStats, type ParseWarning } from "./portal-format.ts";

export interface PortalImportReport extends UpsertCounts {
  files: number;
  /** Files or records not imported at all, with the reason. */
  skipped: { file: string; code: string | null; reason: string }[];
  /** Records imported with one or more fields not fully parsed. */
  partial: { file: string; code: string; warnings: ParseWarning[] }[];
  stats: ParseStats;
  ms: number;
}

/**
 * Imports every `*.json` record under `dir` (national portal format). A broken file or a record
 * without a code is reported and skipped; the rest go on. Idempotent: a second run of the same
 * files reports everything unchanged.
 */
export async function importPortalDirectory(dir: string, writer: CatalogueWriter): Promise<PortalImportReport> {
  const started = Date.now();
  const files = (await listFiles(dir)).filter((f) => f.endsWith(".json"));
  if (files.length === 0) throw new Error(`no .json files found under ${dir}`);
  const report: PortalImportReport = {
    files: files.length,
    imported: 0,
    updated: 0,
    unchanged: 0,
    skipped: [],
    partial: [],
    stats: { channelRows: 0, channelRowsClean: 0, documentRows: 0, documentRowsClean: 0 },
    ms: 0,
  };
  const byCode = new Map<string, { file: string; procedure: PortalProcedure }>();
  for (const file of files) {
    const rel = path.relative(dir, file);
    const json = await readJson(file);
    if (!json.ok) {
      report.skipped.push({ file: rel, code: null, reason: json.error });
      continue;
    }
    const outcome = parsePortalRecord(json.value);
    if (!outcome.ok) {
      report.skipped.push({ file: rel, code: outcome.code, reason: outcome.reason });
      continue;
    }
    const twin = byCode.get(outcome.procedure.code);
    if (twin) {
      report.skipped.push({ file: rel, code: outcome.procedure.code, reason: `same code as ${twin.file}; the first was kept` });
      continue;
    }
    byCode.set(outcome.procedure.code, { file: rel, procedure: outcome.procedure });
    for (const k of Object.keys(report.stats) as (keyof ParseStats)[]) report.stats[k] += outcome.stats[k];
    if (outcome.warnings.length > 0) report.partial.push({ file: rel, code: outcome.procedure.code, warnings: outcome.warnings });
  }
  const counts = await writer.upsertPortal([...byCode.values()].map((v) => v.procedure));
  Object.assign(report, counts);
  report.ms = Date.now() - started;
  await writer.recordImport({
    source: "portal",
    location: path.resolve(dir),
    startedAt: new Date(started),
    summary: { ...counts, files: report.files, skipped: report.skipped.length, partial: report.partial.length, stats: report.stats },
  });
  return report;
}
