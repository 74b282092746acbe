import { readFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { z } from "zod";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { openDatabase, type Database } from "../adapters/postgres/database.ts";
import { migrate } from "../adapters/postgres/migrate.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import { importPortalDirectory } from "../adapters/catalogue/portal-import.ts";
import { syncKnowledge } from "../adapters/catalogue/knowledge-files.ts";
import { assistantSettings, buildAssistant } from "./assistant-factory.ts";
import { openConfiguredDatabase } from "./context.ts";

/**
 * `npm run eval -- --file <jsonl> [--catalogue <dir>] [--json]`: every line goes through the same path
 * as a real message (a fresh chat each) and is scored: recall@1/@5 and MRR@5 over `answer` lines, the
 * share of `abstain` lines answered with no procedure, of `status` lines routed to the case lookup;
 * overall and by slice; p50/p95 time per question. With --json the last line is one JSON object.
 */
const Line = z.object({
  id: z.string(),
  q: z.string(),
  expect: z.array(z.string()),
  action: z.enum(["answer", "abstain", "status"]),
  slice: z.string().default("standard"),
  topic: z.string().optional(),
});
type Line = z.infer<typeof Line>;

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const file = opt("--file");
const catalogue = opt("--catalogue");
const asJson = args.includes("--json");
const verbose = args.includes("--verbose");
// Only `answer` lines whose expected procedure is in the loaded catalogue (e.g. the 130 default ones).
const onlyKnown = args.includes("--only-known");
if (!file) {
  console.error("Usage: npm run eval -- --file <questions.jsonl> [--catalogue <portal-dir>] [--only-known] [--json] [--verbose]");
  process.exit(2);
}

const config = loadConfig();
const log = createLogger("error", process.stderr as never);
let lines: Line[] = (await readFile(file, "utf8"))
  .split("\n")
  .filter((l) => l.trim())
  .map((l, i) => {
    const r = Line.safeParse(JSON.parse(l));
    if (!r.success) throw new Error(`${file}:${i + 1}: ${r.error.issues[0]?.message}`);
    return r.data;
  });

let db: Database;
let scratch: string | undefined;
if (catalogue) {
  // A fresh embedded database holding only that catalogue.
  scratch = await mkdtemp(path.join(tmpdir(), "tthc-eval-"));
  db = await openDatabase({ kind: "embedded", dataDir: scratch });
  await migrate(db.pool);
  const r = await importPortalDirectory(catalogue, createCatalogueRepository(db.pool));
  if (!asJson) console.log(`Imported ${r.imported + r.updated + r.unchanged} procedures from ${catalogue}.`);
} else {
  ({ db } = await openConfiguredDatabase(config, log));
  await syncKnowledge(config.knowledgeDir, createCatalogueRepository(db.pool));
}

try {
  if (onlyKnown) {
    const known = new Set((await db.pool.query<{ code: string }>("select code from procedures")).rows.map((r) => r.code));
    const before = lines.length;
    lines = lines.filter((l) => l.action !== "answer" || l.expect.some((c) => known.has(c)));
    if (!asJson) console.log(`--only-known: ${before - lines.length} answer lines skipped (their procedures are not in this catalogue).`);
  }
  const { assistant } = await buildAssistant({ db, log, ...assistantSettings(config) });
  await assistant.handleDetailed({ channel: "eval", chatId: "warm-up", text: "khai sinh", receivedAt: new Date() });

  type Acc = { n: number; r1: number; r5: number; mrr: number; abstainN: number; abstainOk: number; statusN: number; statusOk: number };
  const blank = (): Acc => ({ n: 0, r1: 0, r5: 0, mrr: 0, abstainN: 0, abstainOk: 0, statusN: 0, statusOk: 0 });
  const all = blank();
  const bySlice = new Map<string, Acc>();
  const times: number[] = [];
  for (const line of lines) {
    const t0 = performance.now();
    const result = await assistant.handleDetailed({ channel: "eval", chatId: `eval-${line.id}`, text: line.q, receivedAt: new Date() });
    times.push(performance.now() - t0);
    const acc = bySlice.get(line.slice) ?? blank();
    bySlice.set(line.slice, acc);
    const kind = result.outcome.kind;
    for (const a of [all, acc]) {
      if (line.action === "answer") {
        const codes = result.outcome.kind === "answered" || result.outcome.kind === "followup"
          ? [result.outcome.code, ...(result.ranked ?? []).map((c) => c.code).filter((c) => c !== (result.outcome as { code: string }).code)]
          : (result.ranked ?? []).map((c) => c.code);
        const rank = codes.slice(0, 5).findIndex((c) => line.expect.includes(c));
        a.n++;
        if (rank === 0) a.r1++;
        if (rank >= 0) {
          a.r5++;
          a.mrr += 1 / (rank + 1);
        }
      } else if (line.action === "abstain") {
        a.abstainN++;
        if (kind !== "answered" && kind !== "followup" && kind !== "clarify" && kind !== "status") a.abstainOk++;
      } else {
        a.statusN++;
        if (kind === "status") a.statusOk++;
      }
    }
    if (verbose) {
      const top = result.ranked?.[0];
      console.log(`${line.id} [${line.action}/${line.slice}] → ${kind}${top ? ` top=${top.code} ${top.score.toFixed(1)} cov=${top.coverage.toFixed(2)} ncov=${top.nameCoverage.toFixed(2)} ${top.name.slice(0, 40)}` : ""} | ${line.q.slice(0, 70)}`);
    }
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const summarise = (a: Acc) => ({
    recall_at_1: a.n ? round(a.r1 / a.n) : null,
    recall_at_5: a.n ? round(a.r5 / a.n) : null,
    mrr_at_5: a.n ? round(a.mrr / a.n) : null,
    abstain_accuracy: a.abstainN ? round(a.abstainOk / a.abstainN) : null,
    status_accuracy: a.statusN ? round(a.statusOk / a.statusN) : null,
    n: a.n + a.abstainN + a.statusN,
  });
  const overall = summarise(all);
  const slices = Object.fromEntries([...bySlice].sort().map(([k, v]) => [k, summarise(v)]));
  const report = { ...overall, by_slice: slices, p50_ms: Math.round(pct(50) * 10) / 10, p95_ms: Math.round(pct(95) * 10) / 10 };
  if (!asJson || verbose) {
    const show = (v: number | null) => (v === null ? "   –  " : v.toFixed(3).padStart(6));
    console.log("slice            n   R@1    R@5    MRR@5  abstain status");
    for (const [name, s] of [["ALL", overall] as const, ...Object.entries(slices)]) {
      console.log(`${name.padEnd(15)} ${String(s.n).padStart(3)} ${show(s.recall_at_1)} ${show(s.recall_at_5)} ${show(s.mrr_at_5)} ${show(s.abstain_accuracy)} ${show(s.status_accuracy)}`);
    }
    console.log(`time per question: p50 ${report.p50_ms} ms, p95 ${report.p95_ms} ms (${db.kind} database)`);
  }
  if (asJson) console.log(JSON.stringify(report));
} finally {
  await db.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
}
