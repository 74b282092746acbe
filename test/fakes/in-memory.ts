import type { ConversationState, ConversationStore, ProcedureSearch, SearchCandidate, SearchRequest, TermStats } from "../../src/core/ports.ts";
import { foldedTokens, normalizeText } from "../../src/core/text/vietnamese.ts";

/**
 * Conversation state in a Map, with the same optimistic versioning as the Postgres store: a save
 * succeeds only when the stored version is still the one that was loaded. `failWith` makes every
 * call throw, as a database that is down would.
 */
export class InMemoryConversationStore implements ConversationStore {
  readonly rows = new Map<string, { state: ConversationState; version: number }>();
  failWith: Error | null = null;
  loads = 0;
  saves = 0;

  private key(channel: string, chatId: string): string {
    return `${channel}\u0000${chatId}`;
  }

  async load(channel: string, chatId: string): Promise<{ state: ConversationState; version: number }> {
    this.loads++;
    if (this.failWith) throw this.failWith;
    const row = this.rows.get(this.key(channel, chatId));
    return row ? { state: structuredClone(row.state), version: row.version } : { state: {}, version: 0 };
  }

  async save(channel: string, chatId: string, state: ConversationState, version: number): Promise<boolean> {
    this.saves++;
    if (this.failWith) throw this.failWith;
    const key = this.key(channel, chatId);
    const current = this.rows.get(key)?.version ?? 0;
    if (current !== version) return false;
    this.rows.set(key, { state: structuredClone(state), version: current + 1 });
    return true;
  }

  /** The state a chat has stored, as the next turn would load it. */
  stateOf(channel: string, chatId: string): ConversationState | undefined {
    return this.rows.get(this.key(channel, chatId))?.state;
  }
}

/** A procedure search over fixed data, counting how often the dialogue reached it. */
export class FixedProcedureSearch implements ProcedureSearch {
  readonly requests: SearchRequest[] = [];
  candidateCalls = 0;
  statsCalls = 0;
  getCalls = 0;

  constructor(
    private readonly fixed: {
      candidates: SearchCandidate[];
      records: Record<string, Record<string, unknown>>;
      stats: TermStats;
    },
  ) {}

  /** Every call the dialogue made into the catalogue search. */
  get searches(): number {
    return this.candidateCalls + this.statsCalls;
  }

  async candidates(request: SearchRequest): Promise<SearchCandidate[]> {
    this.candidateCalls++;
    this.requests.push(request);
    return this.fixed.candidates.map((c) => ({ ...c }));
  }

  async termStats(): Promise<TermStats> {
    this.statsCalls++;
    return this.fixed.stats;
  }

  async get(code: string): Promise<Record<string, unknown> | null> {
    this.getCalls++;
    const record = this.fixed.records[code];
    return record ? structuredClone(record) : null;
  }
}

/**
 * Catalogue statistics written by hand: each procedure name with how many procedures carry it, in a
 * catalogue of `documents` procedures; `extraVocabulary` stands for words found only in other text.
 */
export function termStatsOf(names: [name: string, procedures: number][], documents = 500, extraVocabulary: [string, number][] = []): TermStats {
  const stats: TermStats = { documents, nameDf: new Map(), nameBigramDf: new Map(), vocabulary: new Map(), accentedVocabulary: new Map() };
  const add = (map: Map<string, number>, key: string, n: number) => map.set(key, (map.get(key) ?? 0) + n);
  for (const [name, n] of names) {
    const tokens = foldedTokens(name);
    for (const t of new Set(tokens)) {
      add(stats.nameDf, t, n);
      add(stats.vocabulary, t, n);
    }
    for (let i = 0; i + 1 < tokens.length; i++) add(stats.nameBigramDf, `${tokens[i]} ${tokens[i + 1]}`, n);
    for (const a of new Set(normalizeText(name).split(/[^\p{L}\p{N}]+/u).filter(Boolean))) add(stats.accentedVocabulary, a, n);
  }
  for (const [word, n] of extraVocabulary) add(stats.vocabulary, word, n);
  return stats;
}
