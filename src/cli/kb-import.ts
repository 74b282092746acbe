import { runCli } from "./context.ts";
import { importPortalDirectory } from "../adapters/catalogue/portal-import.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";

const USAGE = "Usage: npm run kb:import -- <directory of national-portal JSON records> [--quiet]";

// `npm run kb:import -- <dir>`: imports records in the national portal's format; prints what it did.
await runCli(async ({ db }, args) => {
  const quiet = args.includes("--quiet");
  const dir = args.find((a) => !a.startsWith("--"));
  if (!dir) {
    console.error(USAGE);
    return 2;
  }
  const r = await importPortalDirectory(dir, createCatalogueRepository(db.pool));
  if (!quiet) {
    for (const p of r.partial) {
      console.log(`partly parsed ${p.code} (${p.file}):`);
      for (const w of p.warnings) console.log(`  - ${w.field}: ${w.message}`);
    }
  }
  for (const s of r.skipped) console.log(`skipped ${s.file}${s.code ? ` (${s.code})` : ""}: ${s.reason}`);
  const pct = (a: number, b: number) => (b === 0 ? "—" : `${((100 * a) / b).toFixed(1)}%`);
  console.log("");
  console.log(`Files read:      ${r.files}`);
  console.log(`Imported (new):  ${r.imported}`);
  console.log(`Updated:         ${r.updated}`);
  console.log(`Unchanged:       ${r.unchanged}`);
  console.log(`Skipped:         ${r.skipped.length}`);
  console.log(`Partly parsed:   ${r.partial.length} record(s)${quiet ? " (details hidden by --quiet)" : ""}`);
  console.log(`Channel rows:    ${r.stats.channelRowsClean}/${r.stats.channelRows} parsed cleanly (${pct(r.stats.channelRowsClean, r.stats.channelRows)})`);
  console.log(`Document rows:   ${r.stats.documentRowsClean}/${r.stats.documentRows} parsed cleanly (${pct(r.stats.documentRowsClean, r.stats.documentRows)})`);
  console.log(`Time:            ${(r.ms / 1000).toFixed(1)} s`);
  console.log(
    JSON.stringify({
      files: r.files,
      imported: r.imported,
      updated: r.updated,
      unchanged: r.unchanged,
      skipped: r.skipped.length,
      partial: r.partial.length,
      channel_rows: r.stats.channelRows,
      channel_rows_clean: r.stats.channelRowsClean,
      document_rows: r.stats.documentRows,
      document_rows_clean: r.stats.documentRowsClean,
      ms: r.ms,
    }),
  );
  return 0;
});
