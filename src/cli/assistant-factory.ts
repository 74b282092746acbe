import type { Templates } from "../core/dialogue/templates.ts";
import type { Logger } from "../logger.ts";
import { loadConfig, type Config } from "../config.ts";
import type { Database } from "../adapters/postgres/database.ts";
import { readDialogueKnowledge } from "../adapters/catalogue/knowledge-config.ts";
import { createProcedureSearch } from "../adapters/postgres/procedure-search.ts";
import { createConversationStore } from "../adapters/postgres/conversation-store.ts";
import { hasVectorSearch } from "../adapters/postgres/migrate.ts";
import { createAssistant, type DetailedAssistant } from "../core/dialogue/assistant.ts";
import type { ProcedureRecord } from "../core/answers/compose.ts";
import type { ProcedureSearch } from "../core/ports.ts";
import { createEmbeddings } from "../adapters/llm/embeddings.ts";
import { createEmbeddingStore } from "../adapters/postgres/embedding-store.ts";
import { createDossierRepository, type DossierRepository } from "../adapters/postgres/dossier-repository.ts";
import { createRateLimiter } from "../adapters/postgres/rate-limiter.ts";
import { statusNotification } from "../core/cases/explain.ts";
import type { ComposeNotification } from "../adapters/postgres/notification-dispatcher.ts";
import { createRatingStore, createUnansweredLog } from "../adapters/postgres/rating-store.ts";
import { createRatingRequests } from "../core/ratings/rating-flow.ts";
import type { RatingRequests, RatingStore } from "../core/ports.ts";

export interface AssistantParts {
  assistant: DetailedAssistant;
  search: ProcedureSearch;
  /** The case-tracking store (lookups, ingest of events). */
  dossiers: DossierRepository;
  /** Turns a notification outbox row into the replies pushed to the subscriber. */
  composeNotification: ComposeNotification;
  /** The reply templates, for what channels say themselves (commands, notices). */
  templates: Templates;
  /** Ratings: the store, and the closure requests for the dispatcher. */
  ratings: RatingStore;
  ratingRequests: RatingRequests;
}

/** Lookup limits per chat (CASE_* in .env.example). */
export interface CaseLimits {
  lookups: { limit: number; windowMs: number };
  failures: { limit: number; windowMs: number };
}
/** The settings' own defaults (one schema in config.ts), for callers that pass no limits (tests). */
const defaultLimits = (): CaseLimits => loadConfig({}).cases;

/** What the deployment's settings say about the assistant (every command builds it the same way). */
export function assistantSettings(config: Config): { knowledgeDir: string; promptsDir: string; embeddings: Config["embeddings"]; caseLimits: CaseLimits } {
  return { knowledgeDir: config.knowledgeDir, promptsDir: config.promptsDir, embeddings: config.embeddings, caseLimits: config.cases };
}

/**
 * Builds the assistant over a migrated database and the knowledge/ and prompts/ data. With an
 * embeddings endpoint (and the vector extension), procedures missing an embedding are embedded first
 * and questions are embedded per turn; any failure there is logged and the turn goes on lexically.
 */
export async function buildAssistant(options: {
  db: Database;
  log: Logger;
  knowledgeDir: string;
  promptsDir: string;
  embeddings?: { baseURL: string; model: string; apiKey?: string; timeoutMs: number } | null;
  caseLimits?: CaseLimits;
  now?: () => Date;
}): Promise<AssistantParts> {
  const now = options.now ?? (() => new Date());
  const knowledge = await readDialogueKnowledge(options.knowledgeDir, options.promptsDir);
  let embed: ((text: string) => Promise<number[] | null>) | undefined;
  if (options.embeddings) {
    if (!(await hasVectorSearch(options.db.pool))) {
      options.log.warn("EMBEDDINGS_BASE_URL is set but this database has no vector extension: vector search is off");
    } else {
      const client = createEmbeddings(options.embeddings);
      const store = createEmbeddingStore(options.db.pool);
      try {
        let indexed = 0;
        for (let batch = await store.pending(client.model, 256); batch.length > 0; batch = await store.pending(client.model, 256)) {
          const vectors = await client.embed(batch.map((p) => p.text));
          await store.save(client.model, batch.map((p, i) => ({ code: p.code, hash: p.hash, embedding: vectors[i]! })));
          indexed += batch.length;
        }
        options.log.info({ indexed, model: client.model, total: await store.count(client.model) }, "procedure embeddings up to date");
        embed = async (text) => {
          try {
            return (await client.embed([text.slice(0, 2000)]))[0] ?? null;
          } catch (error) {
            options.log.warn({ err: error }, "question embedding failed; answering with lexical search only");
            return null;
          }
        };
      } catch (error) {
        options.log.warn({ err: error }, "embedding the catalogue failed: vector search is off until the next start");
      }
    }
  }
  const search = createProcedureSearch(options.db.pool, { vector: embed !== undefined, ...(options.embeddings ? { model: options.embeddings.model } : {}) });
  const dossiers = createDossierRepository(options.db.pool);
  const ratings = createRatingStore(options.db.pool, { now });
  const assistant = createAssistant({
    retrieval: { search, lexicon: knowledge.lexicon, config: knowledge.retrieval, ...(embed ? { embed } : {}) },
    rules: knowledge.rules,
    templates: knowledge.templates,
    getProcedure: async (code) => (await search.get(code)) as ProcedureRecord | null,
    conversations: createConversationStore(options.db.pool),
    cases: { repository: dossiers, limiter: createRateLimiter(options.db.pool), limits: options.caseLimits ?? defaultLimits(), now },
    ratings: { store: ratings, now },
    unanswered: createUnansweredLog(options.db.pool),
    onError: (error, message) => options.log.error({ err: error, channel: message.channel }, "turn failed"),
  });
  const composeNotification: ComposeNotification = async (row) => {
    if (row.kind !== "status") return null;
    const dossier = await dossiers.get(row.dossierCode);
    return dossier ? statusNotification(dossier, now(), knowledge.templates) : null;
  };
  const ratingRequests = createRatingRequests({ store: ratings, getDossier: (code) => dossiers.get(code), templates: knowledge.templates });
  return { assistant, search, dossiers, composeNotification, templates: knowledge.templates, ratings, ratingRequests };
}
