import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { syncKnowledge } from "../adapters/catalogue/knowledge-files.ts";
import { importPortalDirectory } from "../adapters/catalogue/portal-import.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import type { Database } from "../adapters/postgres/database.ts";
import { migrate } from "../adapters/postgres/migrate.ts";
import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { assistantSettings, buildAssistant } from "./assistant-factory.ts";
import { demoEvents } from "./demo-dossiers.ts";

/** The benchmarks' command line: `--name value` options and `--flag` switches. */
export function benchArgs(argv = process.argv.slice(2)) {
  return {
    opt(name: string, fallback: string): string {
      const i = argv.indexOf(name);
      return i >= 0 && argv[i + 1] ? argv[i + 1]! : fallback;
    },
    flag: (name: string) => argv.includes(name),
  };
}

/** The questions of an eval file (JSON lines with a `q`), in order. */
export async function readQuestions(file: string): Promise<string[]> {
  return (await readFile(file, "utf8"))
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { q: string }).q);
}

/**
 * What the channel benchmarks start from, as `npm start` has it: a migrated database with the default
 * catalogue (plus the national records when `catalogueDir` is given), the assistant, and the demo dossiers.
 */
export async function prepareBenchAssistant(db: Database, config: Config, log: Logger, catalogueDir: string | null) {
  await migrate(db.pool);
  const catalogue = createCatalogueRepository(db.pool);
  await syncKnowledge(config.knowledgeDir, catalogue);
  if (catalogueDir) {
    if (!existsSync(catalogueDir)) throw new Error(`Catalogue not found: ${catalogueDir}`);
    await importPortalDirectory(catalogueDir, catalogue);
  }
  const parts = await buildAssistant({ db, log, ...assistantSettings(config) });
  const procedures = (await db.pool.query<{ code: string; name: string }>("select code, name from procedures where name is not null order by code limit 60")).rows;
  await parts.dossiers.ingest(demoEvents(procedures, new Date()));
  return { ...parts, catalogue, procedures, size: await catalogue.size() };
}
