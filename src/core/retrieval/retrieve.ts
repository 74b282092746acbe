import type { ProcedureSearch, SearchCandidate } from "../ports.ts";
import type { Lexicon } from "../text/lexicon.ts";
import { foldedTokens } from "../text/vietnamese.ts";
import type { RetrievalConfig } from "./config.ts";
import { analyseQuery, type AnalysedQuery } from "./query.ts";
import { correctTypos, rerank, type RankedCandidate } from "./rank.ts";

export interface RetrievalDeps {
  search: ProcedureSearch;
  lexicon: Lexicon;
  config: RetrievalConfig;
  /** Question embedding from an OpenAI-compatible endpoint; absent when none is configured. */
  embed?: (text: string) => Promise<number[] | null>;
}

export interface Retrieval {
  query: AnalysedQuery;
  ranked: RankedCandidate[];
  /** Milliseconds per step, for logs and benchmarks. */
  timings: { analyse: number; search: number; rerank: number };
}

const now = () => performance.now();

/** Question → ranked procedures: analyse, correct typos, retrieve in SQL (fused), rerank. */
export async function retrieve(deps: RetrievalDeps, text: string): Promise<Retrieval> {
  const t0 = now();
  const stats = await deps.search.termStats();
  const query = correctTypos(
    analyseQuery(text, deps.lexicon, {
      // Without tone marks, a folded stopword that is also a common catalogue word ("dang") is kept.
      ambiguousStop: (w) => (stats.nameDf.get(w) ?? 0) > stats.documents * 0.005,
      keepAbbreviation: (w) => (stats.nameDf.get(w) ?? 0) > 0,
    }),
    stats,
  );
  const t1 = now();

  // The database is asked only for the question's most telling words: the rarest pairs and words.
  // Common words ("cấp", "giấy") would match most of the catalogue and still count in reranking.
  const features = [
    ...query.bigrams.map((b) => ({ f: b, bigram: true, df: stats.nameBigramDf.get(b) ?? 0 })),
    ...query.terms.map((t) => ({ f: t, bigram: false, df: stats.nameDf.get(t) ?? stats.vocabulary.get(t) ?? 0 })),
  ]
    .filter((x) => x.df > 0)
    .sort((a, b) => a.df - b.df);
  const q = deps.config.query;
  const cap = stats.documents * q.maxDocShare;
  let chosen = features.filter((x) => x.df <= cap).slice(0, q.maxFeatures);
  if (chosen.length === 0) chosen = features.slice(0, 3);
  // Words the catalogue never uses match nothing in full-text search; they may be typos the
  // corrector could not place, which is what trigram similarity is for.
  const unknown = query.terms.filter((t) => (stats.nameDf.get(t) ?? stats.vocabulary.get(t) ?? 0) === 0);
  const embedding = deps.embed ? await deps.embed(text) : null;
  const candidates: SearchCandidate[] = await deps.search.candidates({
    foldedTerms: chosen.filter((x) => !x.bigram).map((x) => x.f),
    foldedBigrams: chosen.filter((x) => x.bigram).map((x) => x.f),
    accentedTerms: query.hasDiacritics && deps.config.fusion.weights.accented > 0 ? rarestAccented(query.accentedTerms, stats.accentedVocabulary, q.maxAccented) : [],
    trigramText: deps.config.fusion.weights.trigram > 0 ? trigramText(query.terms, [...unknown, ...chosen.map((x) => x.f)]) : "",
    ...(embedding ? { embedding } : {}),
    limit: deps.config.candidates,
    fusion: deps.config.fusion,
  });
  const t2 = now();
  const raw = new Set(foldedTokens(query.normalized));
  const ranked = rerank(query, raw, candidates, stats, deps.config);
  return { query, ranked, timings: { analyse: t1 - t0, search: t2 - t1, rerank: now() - t2 } };
}

/**
 * The text compared by trigrams with procedure names: the question's words unknown to the catalogue
 * and those chosen for full-text search, in the question's order. Comparing the whole question made the index walk twice as long (more
 * trigrams to test) and ranked no better.
 */
function trigramText(terms: string[], chosen: string[]): string {
  const keep = new Set(chosen.flatMap((f) => f.split(" ")));
  return terms.filter((t) => keep.has(t)).join(" ").slice(0, 200);
}

/** The accented words the catalogue uses least (but does use), at most `max`. */
function rarestAccented(words: string[], vocabulary: Map<string, number>, max: number): string[] {
  return words
    .filter((w) => (vocabulary.get(w) ?? 0) > 0)
    .sort((a, b) => (vocabulary.get(a) ?? 0) - (vocabulary.get(b) ?? 0))
    .slice(0, max);
}
