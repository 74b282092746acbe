import { existsSync } from "node:fs";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { migrate } from "../adapters/postgres/migrate.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import { importPortalDirectory } from "../adapters/catalogue/portal-import.ts";
import { assistantSettings, buildAssistant } from "./assistant-factory.ts";
import { openScratchDatabase } from "./context.ts";
import { benchArgs, readQuestions } from "./bench-support.ts";

/**
 * `npm run bench -- [--catalogue <dir>] [--messages N] [--server]`: messages per second and p50/p95
 * per message through the whole dialogue path (no LLM), on the full shared catalogue imported into a
 * fresh embedded database — or, with --server, into the PostgreSQL server at DATABASE_URL (a scratch
 * database on it is created and dropped). Questions: ../shared/eval/dev.jsonl, cycled, a new chat each.
 * Last line: {"per_s": …, "p50_ms": …, "p95_ms": …}.
 */
const { opt, flag } = benchArgs();
const catalogue = opt("--catalogue", "../shared/catalogue");
const messages = Number(opt("--messages", "600"));
const questionsFile = opt("--questions", "../shared/eval/dev.jsonl");
const onServer = flag("--server");
if (!existsSync(catalogue)) {
  console.error(`Catalogue not found: ${catalogue} (pass --catalogue <dir>)`);
  process.exit(2);
}
const config = loadConfig();
const log = createLogger("error", process.stderr as never);
const questions = await readQuestions(questionsFile);

const { db, dispose } = await openScratchDatabase(config, { server: onServer, name: "tthc_bench" });
try {
  await migrate(db.pool);
  const imported = await importPortalDirectory(catalogue, createCatalogueRepository(db.pool));
  const { assistant } = await buildAssistant({ db, log, ...assistantSettings(config) });
  for (let i = 0; i < 20; i++) await assistant.handle({ channel: "eval", chatId: `warm-${i}`, text: questions[i % questions.length]!, receivedAt: new Date() });
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) {
    const s = performance.now();
    await assistant.handle({ channel: "eval", chatId: `bench-${i}`, text: questions[i % questions.length]!, receivedAt: new Date() });
    times.push(performance.now() - s);
  }
  const total = performance.now() - t0;
  times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]! * 10) / 10;
  const perS = Math.round((messages / total) * 1000 * 10) / 10;
  console.log(`${messages} messages over ${imported.imported + imported.unchanged + imported.updated} procedures (${db.kind} database), one at a time:`);
  console.log(`  ${perS} messages/s, p50 ${pct(50)} ms, p95 ${pct(95)} ms, max ${pct(100)} ms`);
  console.log(JSON.stringify({ per_s: perS, p50_ms: pct(50), p95_ms: pct(95), database: db.kind, procedures: imported.files, messages }));
} finally {
  await dispose();
}
