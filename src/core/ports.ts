import type { CuratedProcedure, Guide, PortalProcedure } from "./procedure.ts";

/** How one batch of catalogue records landed in the store. */
export interface UpsertCounts {
  /** New to this source. */
  imported: number;
  /** Already there from this source, with different content. */
  updated: number;
  /** Already there from this source, identical. */
  unchanged: number;
}

export interface CatalogueSize {
  procedures: number;
  curated: number;
  portal: number;
  guides: number;
}

export interface ProcedureListItem {
  code: string;
  name: string;
  level: string[];
  field: string | null;
  topic: string | null;
  sourceUrl: string | null;
}

/** Writes the catalogue; implemented over Postgres. */
export interface CatalogueWriter {
  upsertPortal(items: PortalProcedure[]): Promise<UpsertCounts>;
  /** Makes the curated source equal to `items`: adds, updates, and withdraws what is gone. */
  syncCurated(items: CuratedProcedure[]): Promise<UpsertCounts & { removed: number }>;
  syncGuides(guides: Guide[]): Promise<UpsertCounts & { removed: number }>;
  recordImport(entry: { source: "curated" | "portal"; location: string; startedAt: Date; summary: unknown }): Promise<void>;
}

/** Reads the catalogue for pages and (later) answers. */
export interface CatalogueReader {
  size(): Promise<CatalogueSize>;
  /** Procedures whose name contains every word of `query`, accents and case ignored. */
  searchByName(query: string, limit: number): Promise<ProcedureListItem[]>;
  list(limit: number, offset: number): Promise<ProcedureListItem[]>;
}

/** What a retriever is asked: the analysed question, as words the database can match. */
export interface SearchRequest {
  /** Folded (no tone marks) content words and adjacent pairs, expansions included. */
  foldedTerms: string[];
  foldedBigrams: string[];
  /** Content words as typed with tone marks; empty when the question has none. */
  accentedTerms: string[];
  /** Folded text for trigram similarity against names. */
  trigramText: string;
  /** Question embedding, when an embeddings endpoint is configured. */
  embedding?: number[];
  limit: number;
  /** Per-retriever weights and the fusion constant. */
  fusion: { k: number; weights: Record<RetrieverName, number> };
}

export type RetrieverName = "folded" | "accented" | "trigram" | "vector";

/** One procedure proposed by the retrievers, with what reranking needs. */
export interface SearchCandidate {
  code: string;
  name: string;
  keywords: string[];
  /** Field, result and summary, for context matching. */
  context: string;
  level: string[];
  /** 1-based rank in each retriever that found it. */
  ranks: Partial<Record<RetrieverName, number>>;
  /** Reciprocal-rank fusion score. */
  fused: number;
}

/** Document frequencies of folded name words over the whole catalogue (for IDF weights). */
export interface TermStats {
  documents: number;
  nameDf: Map<string, number>;
  /** Document frequencies of adjacent folded name-word pairs ("khai sinh"). */
  nameBigramDf: Map<string, number>;
  /** Every folded word of the catalogue's searchable text: the vocabulary typos are corrected against. */
  vocabulary: Map<string, number>;
  /** Words of names and keywords with their tone marks → document counts: a marked word that is
   *  absent or nearly so (a typo in the catalogue itself) is a likely typo in the question. */
  accentedVocabulary: Map<string, number>;
}

export interface ProcedureSearch {
  candidates(request: SearchRequest): Promise<SearchCandidate[]>;
  termStats(): Promise<TermStats>;
  /** The full record of one procedure, or null. */
  get(code: string): Promise<Record<string, unknown> | null>;
}

/** What the dialogue remembers between turns of one chat. */
export interface ConversationState {
  /** The procedure under discussion, for follow-ups ("thế lệ phí bao nhiêu?"). */
  procedure?: { code: string; name: string };
  /** Candidates offered in the last clarification, for answers by number. */
  offered?: { code: string; name: string }[];
}

/** Conversation state, persisted per channel and chat, with an optimistic version. */
export interface ConversationStore {
  load(channel: string, chatId: string): Promise<{ state: ConversationState; version: number }>;
  /** Saves if the stored version is still `version`; returns false when another turn saved first. */
  save(channel: string, chatId: string, state: ConversationState, version: number): Promise<boolean>;
}

/** The case-lookup side (dossier status); filled by the dossier issue. */
export interface CaseLookup {
  lookup(request: { channel: string; chatId: string; code: string | null; text: string }): Promise<{ text: string }[]>;
}
