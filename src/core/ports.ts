import type { Dossier, DossierHistoryItem, ParsedDossierCode } from "./cases/types.ts";
import type { Reply } from "./dialogue/messages.ts";
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
  /** The dossier lookup in progress (src/core/cases/case-flow.ts). */
  case?: CaseConversation;
  /** The rating in progress (src/core/ratings/rating-flow.ts): its invitation, and whether a comment is awaited. */
  rating?: { token: string; awaiting?: "comment"; dislike?: boolean };
}

/** Where a dossier lookup stands. Never holds personal data: only the canonical code and times. */
export interface CaseConversation {
  /** What the last reply asked for: a dossier code, or the last 4 digits of the phone number. */
  awaiting?: "code" | "factor";
  /** The canonical code of the dossier found (the one a factor is asked for). */
  code?: string;
  /** The dossier the citizen proved to be theirs, and when (ISO 8601); subscribing needs it recent. */
  verified?: { code: string; at: string };
}

/** Conversation state, persisted per channel and chat, with an optimistic version. */
export interface ConversationStore {
  load(channel: string, chatId: string): Promise<{ state: ConversationState; version: number }>;
  /** Saves if the stored version is still `version`; returns false when another turn saved first. */
  save(channel: string, chatId: string, state: ConversationState, version: number): Promise<boolean>;
}

/** Dossiers, read for lookups (the write side is the adapter's ingest). */
export interface CaseRepository {
  /** The dossier a parsed code points to; null when unknown or ambiguous (never which). */
  find(code: ParsedDossierCode): Promise<Dossier | null>;
  /** By canonical code (notifications). */
  get(code: string): Promise<Dossier | null>;
  /** Whether `digits` (the phone number's last 4) match the dossier's hashed factor; false when none is stored. */
  verify(code: string, digits: string): Promise<boolean>;
  history(code: string): Promise<DossierHistoryItem[]>;
  /** Idempotent: subscribing twice keeps one subscription (verified now). */
  subscribe(code: string, channel: string, chatId: string): Promise<void>;
}

/** Fixed-window counters shared by every process (lookups, failed verifications). */
export interface RateLimiter {
  /** Counts one hit; `allowed` is false once the window already holds `limit` hits (the hit is still counted). */
  hit(key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
  /** Whether a hit would still be allowed, without counting one. */
  check(key: string, limit: number, windowMs: number): Promise<{ allowed: boolean; retryAfterMs: number }>;
}

/** Sends replies to a chat on one channel, outside a turn (status notifications, rating requests). */
export interface NotificationSender {
  channel: string;
  /**
   * Throws on failure; the queue retries with backoff. Throws UndeliverableError when retrying cannot
   * help (the citizen blocked the bot, the chat is gone): the notification is then abandoned at once.
   */
  send(chatId: string, replies: Reply[], about?: NotificationAbout): Promise<void>;
}

/** What a notification is about, for channels that must send it as a structured template (Zalo). */
export interface NotificationAbout {
  dossierCode: string;
  kind: "status" | "rating" | "reminder";
  status: number | null;
}

/** A notification that can never be delivered to this chat; `code` says why (e.g. "telegram:403"). */
export class UndeliverableError extends Error {
  override name = "UndeliverableError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The satisfaction levels, as stored: 3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng. */
export type RatingLevel = 1 | 2 | 3;
/** Follow-up questions (Circular 01/2018): times contacted (0, 1, 2 = more); attitude, convenience 3/2/1. */
export type RatingFollowUp = "contacts" | "attitude" | "convenience";

/** The invitation to rate one dossier, in one chat; its token names it in button payloads. */
export interface RatingInvite {
  token: string;
  dossierCode: string;
  channel: string;
  chatId: string;
  sentAt: Date | null;
  remindedAt: Date | null;
}

export interface RatingRecord {
  dossierCode: string;
  overall: RatingLevel;
  contacts: number | null;
  attitude: number | null;
  convenience: number | null;
  comment: string | null;
  ratedAt: Date;
}

/** Invitations, ratings and complaints (Postgres). A dossier is rated once; each answer is saved as it comes. */
export interface RatingStore {
  /**
   * The invitation for a dossier: made now if there is none (`created`). A closure never takes over an
   * existing one; a citizen who proved the dossier is theirs (`origin: "citizen"`) moves it to their chat.
   */
  invite(input: { dossierCode: string; channel: string; chatId: string; origin: "closure" | "citizen" }): Promise<{ invite: RatingInvite; created: boolean }>;
  /** The invitation `token` names, only when it was made for this chat. */
  findInvite(token: string, channel: string, chatId: string): Promise<RatingInvite | null>;
  markSent(token: string, kind: "request" | "reminder"): Promise<void>;
  get(dossierCode: string): Promise<RatingRecord | null>;
  /** Records the overall level unless the dossier was rated before; returns the rating on record either way. */
  rate(input: { dossierCode: string; channel: string; chatId: string | null; overall: RatingLevel; stars?: number; feedbacks?: string[]; comment?: string; at?: Date }): Promise<{ recorded: boolean; record: RatingRecord }>;
  answer(dossierCode: string, question: RatingFollowUp, value: number): Promise<void>;
  comment(dossierCode: string, text: string): Promise<void>;
  /** Files the rating's comment as a complaint; one per dossier (a second call returns the same reference). */
  fileComplaint(input: { dossierCode: string; channel: string; chatId: string }): Promise<string | null>;
}

/** The questions the assistant could not answer, for the catalogue team. */
export interface UnansweredLog {
  record(question: string, at: Date): Promise<void>;
}

/**
 * The satisfaction request when a subscribed dossier closes, and its one reminder (the dispatcher sends
 * them like status updates). `compose` makes the invitation (one per dossier) and returns what to send,
 * or null when there is nothing to send: invited before, rated already, or not closed.
 */
export interface RatingRequests {
  compose(input: { dossierCode: string; channel: string; chatId: string; reminder: boolean }): Promise<{ replies: Reply[]; token: string } | null>;
  /** The channel accepted the request (or reminder) for the invitation `token`. */
  sent(token: string, reminder: boolean): Promise<void>;
}

/** Remembers which inbound updates a channel has seen, so a re-delivered one is not answered twice. */
export interface InboundDedupe {
  /** True the first time `key` (Telegram update_id, Zalo msg_id) is seen on `channel`; false for a repeat. */
  firstSeen(channel: string, key: string): Promise<boolean>;
}

/** An OAuth token pair a channel keeps (Zalo OA): one stored pair shared by every process. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

/** The stored pair, and why it is unusable when a refresh was refused (the grant is dead). */
export interface StoredTokenPair extends TokenPair {
  dead: string | null;
}

/** Where a channel's tokens live (Postgres), and the lock under which the single-use refresh token is spent. */
export interface TokenStore {
  read(channel: string): Promise<StoredTokenPair | null>;
  /**
   * Runs `fn` holding a lock no other process holds at the same time (a PostgreSQL advisory lock on a
   * server), with the pair as stored when the lock was taken: a second caller waits, then sees the pair
   * the first one saved.
   */
  withLock<T>(channel: string, fn: (current: StoredTokenPair | null) => Promise<T>): Promise<T>;
  /** Saves a pair (a new grant, or a refresh), clearing any dead mark. */
  save(channel: string, pair: TokenPair): Promise<void>;
  markDead(channel: string, reason: string): Promise<void>;
}

/** Problems a person must act on (a dead Zalo grant), shown on /health and the admin pages. */
export interface AdminAlerts {
  /** Raises (or keeps) the alert `key`; raising it again does not repeat it. Returns true when it is new. */
  raise(key: string, message: string): Promise<boolean>;
  clear(key: string): Promise<void>;
  list(): Promise<{ key: string; message: string; raisedAt: Date }[]>;
}

/**
 * A notification that cannot be delivered now but can be later: the Zalo window is closed and no
 * template is configured. The dispatcher holds the row until `release(channel, chatId)` (the citizen
 * wrote again), without counting it as a failure.
 */
export class DeferredError extends Error {
  override name = "DeferredError";
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A rating given through a channel's own form (Zalo's rating template, `user_feedback`), 1–5 stars. */
export interface ChannelRating {
  dossierCode: string;
  channel: string;
  /** The citizen's chat id when the channel says it (Zalo's user_feedback does not). */
  chatId: string | null;
  stars: number;
  note: string;
  /** The labels the citizen ticked in the form. */
  feedbacks: string[];
  submittedAt: Date;
}

/** Receives ratings; a dossier is rated once. */
export interface RatingFeedback {
  record(rating: ChannelRating): Promise<"recorded" | "already_rated">;
}

/** Verified webhook events, persisted before the platform is answered and processed after. */
export interface EventInbox {
  /** Stores an event; null when its key was stored before (a re-delivery), else the row id. */
  put(channel: string, key: string, body: string): Promise<string | null>;
  /** Marks an event handled (`error` set when handling failed and was given up). */
  done(id: string, error?: string): Promise<void>;
  /** Events stored at least `olderThanMs` ago and never marked handled (a crash, a database outage), oldest first. */
  pending(channel: string, olderThanMs: number, limit: number): Promise<{ id: string; body: string }[]>;
}

/** Template messages a channel sent, so an answer that names only the message (Zalo user_feedback) finds its dossier. */
export interface SentTemplates {
  remember(entry: { msgId: string; dossierCode: string; userId: string | null; purpose: "status" | "rating" }): Promise<void>;
  find(msgId: string): Promise<{ dossierCode: string; userId: string | null; purpose: string } | null>;
}

/** The few logger methods channels use (pino's signature: fields first, then the message). */
export interface ChannelLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
