import path from "node:path";
import type { Logger } from "pino";
import { syncKnowledge } from "../../src/adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import type { Database } from "../../src/adapters/postgres/database.ts";
import { buildAssistant, type AssistantParts } from "../../src/cli/assistant-factory.ts";
import { demoEvents } from "../../src/cli/demo-dossiers.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** The assistant as `npm start` builds it on a migrated database: the default catalogue and the demo dossiers. */
export async function demoAssistant(db: Database, log: Logger): Promise<AssistantParts> {
  await syncKnowledge(path.join(ROOT, "knowledge"), createCatalogueRepository(db.pool));
  const parts = await buildAssistant({ db, log, knowledgeDir: path.join(ROOT, "knowledge"), promptsDir: path.join(ROOT, "prompts") });
  const procedures = await db.pool.query<{ code: string; name: string }>("select code, name from procedures where name is not null order by code limit 60");
  await parts.dossiers.ingest(demoEvents(procedures.rows, new Date()));
  return parts;
}
