import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { listFiles, readJson } from "../adapters/catalogue/knowledge-files.ts";
import { parsePortalRecord } from "../adapters/catalogue/portal-format.ts";
import { factKeys, type ProcedureFacts } from "../core/procedure.ts";

/**
 * `npm run kb:refresh -- <portal-dir> [knowledge-dir]`: re-reads the facts (name, level, agencies,
 * channels with time limits and fees, documents, result, legal basis, source link) of every default
 * catalogue procedure from the official records, and leaves the project's own words untouched.
 */
const [portalDir, knowledgeDir = process.env.KNOWLEDGE_DIR ?? "./knowledge"] = process.argv.slice(2);
if (!portalDir) {
  console.error("Usage: npm run kb:refresh -- <directory of national-portal JSON records> [knowledge-dir]");
  process.exit(2);
}

const official = new Map<string, ProcedureFacts>();
for (const file of (await listFiles(portalDir)).filter((f) => f.endsWith(".json"))) {
  const json = await readJson(file);
  if (!json.ok) continue;
  const outcome = parsePortalRecord(json.value);
  if (outcome.ok) official.set(outcome.procedure.code, outcome.procedure);
}

const ORDER = ["code", "name", "topic", "summary", "steps", "conditions", "keywords", "onlineLevel", ...factKeys];
let refreshed = 0;
let unchanged = 0;
const missing: string[] = [];
for (const file of (await listFiles(path.join(knowledgeDir, "procedures"))).filter((f) => f.endsWith(".json"))) {
  const current = JSON.parse(await readFile(file, "utf8")) as Record<string, unknown>;
  const facts = official.get(String(current.code));
  if (!facts) {
    missing.push(`${path.relative(knowledgeDir, file)} (${String(current.code)})`);
    continue;
  }
  const next: Record<string, unknown> = { ...current };
  for (const key of factKeys) next[key] = facts[key];
  const ordered = Object.fromEntries(
    [...ORDER, ...Object.keys(next).filter((k) => !ORDER.includes(k))].filter((k) => k in next).map((k) => [k, next[k]]),
  );
  const text = `${JSON.stringify(ordered, null, 2)}\n`;
  if (text === (await readFile(file, "utf8"))) {
    unchanged++;
  } else {
    await writeFile(file, text);
    refreshed++;
  }
}
for (const m of missing) console.log(`not in the official records: ${m}`);
console.log(`Refreshed ${refreshed}, unchanged ${unchanged}, not found ${missing.length}.`);
