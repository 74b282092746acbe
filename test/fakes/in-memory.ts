import { parseDossierCode } from "../../src/core/cases/dossier-code.ts";
import type { Dossier, DossierHistoryItem, ParsedDossierCode } from "../../src/core/cases/types.ts";
import type { CaseRepository, CatalogueReader, ConversationState, ConversationStore, ProcedureSearch, RateLimiter, SearchCandidate, SearchRequest, TermStats } from "../../src/core/ports.ts";
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

/** A dossier as tests write it: only what matters to the test, the rest empty. */
export function dossier(fields: Partial<Dossier> & Pick<Dossier, "code" | "status">): Dossier {
  return {
    receiptNo: null,
    procedureCode: null,
    procedureName: null,
    unitName: null,
    channel: null,
    vendorStatus: null,
    receivedAt: null,
    appointmentAt: null,
    rescheduledAt: null,
    rescheduleReason: null,
    finishedAt: null,
    returnedAt: null,
    supplements: [],
    feesDue: null,
    resultDelivery: null,
    ...fields,
  };
}

/**
 * Dossiers in memory, with their factors in plain text (the real adapter keeps a keyed hash). `find`
 * follows the rule documented on ParsedDossierCode: national codes by key (agency, date, sequence),
 * then every unit segment given must equal (as a number) one of the stored code's unit segments, and
 * exactly one dossier must remain; receipt numbers match exactly, upper case.
 */
export class InMemoryCaseRepository implements CaseRepository {
  readonly dossiers = new Map<string, Dossier>();
  readonly factors = new Map<string, string>();
  readonly histories = new Map<string, DossierHistoryItem[]>();
  readonly subscriptions: { code: string; channel: string; chatId: string }[] = [];
  readonly calls = { find: 0, verify: 0, subscribe: 0 };

  add(d: Dossier, options: { factor?: string; history?: DossierHistoryItem[] } = {}): this {
    this.dossiers.set(d.code, structuredClone(d));
    if (options.factor) this.factors.set(d.code, options.factor);
    this.histories.set(d.code, structuredClone(options.history ?? []));
    return this;
  }

  async find(code: ParsedDossierCode): Promise<Dossier | null> {
    this.calls.find++;
    const all = [...this.dossiers.values()];
    let matches: Dossier[];
    if (code.kind === "receipt") {
      matches = all.filter((d) => d.code.toUpperCase() === code.canonical || d.receiptNo?.toUpperCase() === code.canonical);
    } else {
      matches = all.filter((d) => {
        const stored = parseDossierCode(d.code);
        if (stored?.kind !== "national" || stored.key !== code.key) return false;
        const units = stored.unitParts.map(Number);
        return code.unitParts.every((p) => units.includes(Number(p)));
      });
    }
    return matches.length === 1 ? structuredClone(matches[0]!) : null;
  }

  async get(code: string): Promise<Dossier | null> {
    const d = this.dossiers.get(code);
    return d ? structuredClone(d) : null;
  }

  async verify(code: string, digits: string): Promise<boolean> {
    this.calls.verify++;
    const factor = this.factors.get(code);
    return factor !== undefined && factor === digits;
  }

  async history(code: string): Promise<DossierHistoryItem[]> {
    return structuredClone(this.histories.get(code) ?? []);
  }

  async subscribe(code: string, channel: string, chatId: string): Promise<void> {
    this.calls.subscribe++;
    if (!this.subscriptions.some((s) => s.code === code && s.channel === channel && s.chatId === chatId)) {
      this.subscriptions.push({ code, channel, chatId });
    }
  }
}

/** Fixed-window counters in memory, on a clock the test controls (`now`). */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private window(key: string, windowMs: number): { start: number; count: number } {
    const t = this.now().getTime();
    const start = t - (t % windowMs);
    const w = this.windows.get(key);
    if (w && w.start === start) return w;
    const fresh = { start, count: 0 };
    this.windows.set(key, fresh);
    return fresh;
  }

  async hit(key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const w = this.window(key, windowMs);
    const allowed = w.count < limit;
    w.count++;
    return { allowed, retryAfterMs: allowed ? 0 : w.start + windowMs - this.now().getTime() };
  }

  async check(key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }> {
    const w = this.window(key, windowMs);
    const allowed = w.count < limit;
    return { allowed, retryAfterMs: allowed ? 0 : w.start + windowMs - this.now().getTime() };
  }
}

/** A catalogue with nothing in it, for HTTP tests that do not read it. */
export const emptyCatalogue: CatalogueReader = {
  size: async () => ({ procedures: 0, curated: 0, portal: 0, guides: 0 }),
  searchByName: async () => [],
  list: async () => [],
};
