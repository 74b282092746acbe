import type { SearchCandidate, TermStats } from "../ports.ts";
import { foldedTokens, hasDiacritics, normalizeText } from "../text/vietnamese.ts";
import type { RetrievalConfig } from "./config.ts";
import { pairs, type AnalysedQuery } from "./query.ts";

export interface RankedCandidate {
  code: string;
  name: string;
  level: string[];
  score: number;
  /** Share (by IDF) of the question's content words found in the name or keywords. */
  coverage: number;
  /** Share (by IDF) of the name's leading words (before its list of cases) that the question mentions. */
  nameCoverage: number;
  ranks: SearchCandidate["ranks"];
}

export function idf(stats: TermStats, word: string): number {
  const df = stats.nameDf.get(word) ?? 0;
  return Math.log(1 + stats.documents / (1 + df));
}

/**
 * Typo tolerance on folded words, at one edit (substitution, insertion, deletion, transposition):
 * a word the catalogue never uses becomes its most frequent neighbour ("thutuc" → no, "tamtru" → no,
 * "quyenn" → "quyen"); a real word that forms no known pair with its neighbour is replaced when a
 * neighbour at one edit does ("giap phep" → "giay phep", "tam chu" → "tam tru").
 */
/** A tone-marked word in at most this many procedures is treated as a probable typo. */
const RARE = 2;

export function correctTypos(query: AnalysedQuery, stats: TermStats): AnalysedQuery {
  const map = new Map<string, string>();
  // A real folded word is only suspect when it was typed with tone marks the catalogue never uses
  // ("giấp", "chú" in "tạm chú"); a word typed without marks is trusted unless it is unknown.
  const suspect = new Set<string>();
  for (const a of query.accentedTerms) {
    if (hasDiacritics(a) && (stats.accentedVocabulary.get(a) ?? 0) <= RARE) suspect.add(foldedTokens(a)[0] ?? a);
  }
  // An unknown word of four letters or more is corrected on its own; a shorter one ("gai" in "con
  // gái") only when the correction forms a known pair with a neighbour (below).
  for (const w of query.terms) {
    if (w.length < 4 || stats.vocabulary.has(w) || /\d/.test(w)) {
      if (w.length === 3 && !stats.vocabulary.has(w)) suspect.add(w);
      continue;
    }
    let best = w;
    let bestDf = 0;
    for (const c of edits1(w)) {
      const df = stats.vocabulary.get(c) ?? 0;
      if (df > bestDf) [best, bestDf] = [c, df];
    }
    if (best !== w) map.set(w, best);
  }
  const fix = (w: string) => map.get(w) ?? w;
  for (const b of query.bigrams) {
    const [x0, y0] = b.split(" ") as [string, string];
    const [x, y] = [fix(x0), fix(y0)];
    if ((stats.nameBigramDf.get(`${x} ${y}`) ?? 0) > 0) continue;
    if (!suspect.has(x0) && !suspect.has(y0)) continue;
    let best: [string, string] | null = null;
    let bestDf = 1; // a replacement pair must occur in at least two names
    if (suspect.has(x0)) {
      for (const c of edits1(x)) {
        const df = stats.nameBigramDf.get(`${c} ${y}`) ?? 0;
        if (df > bestDf) [best, bestDf] = [[c, y], df];
      }
    }
    if (suspect.has(y0)) {
      for (const c of edits1(y)) {
        const df = stats.nameBigramDf.get(`${x} ${c}`) ?? 0;
        if (df > bestDf) [best, bestDf] = [[x, c], df];
      }
    }
    if (best) {
      if (best[0] !== x) map.set(x0, best[0]);
      if (best[1] !== y) map.set(y0, best[1]);
    }
  }
  if (map.size === 0) return query;
  return {
    ...query,
    terms: [...new Set(query.terms.map(fix))],
    bigrams: [...new Set(query.bigrams.map((b) => b.split(" ").map(fix).join(" ")))],
  };
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz";
function* edits1(w: string): Generator<string> {
  if (w.length < 2) return;
  for (let i = 0; i <= w.length; i++) {
    const [a, b] = [w.slice(0, i), w.slice(i)];
    if (b) yield a + b.slice(1);
    if (b.length > 1) yield a + b[1] + b[0] + b.slice(2);
    for (const c of ALPHABET) {
      if (b) yield a + c + b.slice(1);
      yield a + c + b;
    }
  }
}

interface CandidateWords {
  name: Set<string>;
  /** Name words after "trong (các) trường hợp" / "đối với": a list of cases, penalised less when unasked. */
  nameTail: Set<string>;
  /** Name words with tone marks, to tell "nhận" from "nhân" when the citizen typed marks. */
  /** Name words as written (with tone marks) → folded. */
  accentedName: Map<string, string>;
  nameBigrams: Set<string>;
  keywords: Set<string>;
  keywordBigrams: Set<string>;
  context: Set<string>;
}
const wordCache = new Map<string, { key: string; words: CandidateWords }>();

/** Tokenised once per procedure text, not once per question. */
function wordsOf(c: SearchCandidate): CandidateWords {
  const key = `${c.name}\u0000${c.keywords.join("\u0001")}\u0000${c.context.length}`;
  const hit = wordCache.get(c.code);
  if (hit && hit.key === key) return hit.words;
  let nameTokens = foldedTokens(c.name);
  if (nameTokens[0] === "thu" && nameTokens[1] === "tuc") nameTokens = nameTokens.slice(2);
  const kw = c.keywords.map((k) => foldedTokens(k));
  const joined = ` ${nameTokens.join(" ")} `;
  const cut = Math.min(...[" trong cac truong hop ", " trong truong hop ", " doi voi "].map((m) => joined.indexOf(m)).filter((i) => i > 0), joined.length);
  const words: CandidateWords = {
    name: new Set(nameTokens),
    nameTail: new Set(joined.slice(cut).trim().split(" ").filter(Boolean)),
    accentedName: new Map(normalizeText(c.name).split(/[^\p{L}\p{N}]+/u).map((a) => [a, foldedTokens(a)[0] ?? ""])),
    nameBigrams: new Set(pairs(nameTokens)),
    keywords: new Set(kw.flat()),
    keywordBigrams: new Set(kw.flatMap((k) => pairs(k))),
    context: new Set(foldedTokens(c.context)),
  };
  if (wordCache.size > 20_000) wordCache.clear();
  wordCache.set(c.code, { key, words });
  return words;
}

/**
 * Reranks the fused candidates by how well each one's name (then keywords, then context) covers the
 * question: words weighted by rarity across catalogue names, word pairs found in the name as the
 * citizen wrote them rewarded, and name words the question never mentioned penalised (saturating, so a
 * long name listing many cases is not buried) — which separates "đăng ký khai sinh" from "đăng ký
 * khai sinh có yếu tố nước ngoài".
 */
export function rerank(
  query: AnalysedQuery,
  rawWords: Set<string>,
  candidates: SearchCandidate[],
  stats: TermStats,
  cfg: RetrievalConfig,
): RankedCandidate[] {
  const w = cfg.rerank;
  const lexical = new Set(query.lexical);
  const weightOf = (t: string) => idf(stats, t) * (lexical.has(t) ? w.lexicalBoost : 1);
  const ownIdf = query.terms.reduce((s, t) => s + weightOf(t), 0);
  const asked = new Set([...rawWords, ...query.terms]);
  const typedAccents = new Set(Object.values(query.accents).flat());

  const ranked = candidates.map((c) => {
    const cw = wordsOf(c);
    // A folded match with different tone marks ("nhận" vs "nhân") counts for little.
    const inName = (t: string): number => {
      if (!cw.name.has(t)) return 0;
      const typed = query.accents[t]?.filter((a) => (stats.accentedVocabulary.get(a) ?? 0) > RARE);
      if (!typed || typed.length === 0 || lexical.has(t)) return 1;
      return typed.some((a) => cw.accentedName.has(a)) ? 1 : w.accentMismatch;
    };
    let score = 0;
    let covered = 0;
    for (const t of query.terms) {
      const weight = weightOf(t);
      const n = inName(t);
      if (n > 0) score += weight * w.name * n;
      else if (cw.keywords.has(t)) score += weight * w.keywords;
      else if (cw.context.has(t)) score += weight * w.context;
      if (n > 0 || cw.keywords.has(t)) covered += weight * Math.max(n, cw.keywords.has(t) ? 1 : 0);
    }
    for (const b of query.bigrams) {
      const [x, y] = b.split(" ") as [string, string];
      const weight = ((weightOf(x) + weightOf(y)) / 2) * w.nameBigram;
      if (cw.nameBigrams.has(b)) score += weight * Math.min(inName(x), inName(y));
      else if (cw.keywordBigrams.has(b)) score += weight * w.keywords;
    }
    let unmatched = 0;
    let headTotal = 0;
    let headAsked = 0;
    for (const t of cw.name) {
      if (!asked.has(t)) unmatched += idf(stats, t) * (cw.nameTail.has(t) ? w.caseListFactor : 1);
      if (!cw.nameTail.has(t)) {
        headTotal += idf(stats, t);
        if (asked.has(t)) headAsked += idf(stats, t);
      }
    }
    if (query.hasDiacritics) {
      // Name words typed with other tone marks were not really asked for.
      for (const [a, f] of cw.accentedName) {
        if (f && asked.has(f) && query.accents[f] && !typedAccents.has(a) && hasDiacritics(a) && !lexical.has(f)) unmatched += idf(stats, f);
      }
    }
    score -= (w.unmatchedName * unmatched) / (1 + unmatched / w.unmatchedCap);
    score += c.fused * w.fused;
    return { code: c.code, name: c.name, level: c.level, score, coverage: ownIdf > 0 ? covered / ownIdf : 0, nameCoverage: headTotal > 0 ? headAsked / headTotal : 0, ranks: c.ranks };
  });
  return ranked.sort((a, b) => b.score - a.score || a.code.localeCompare(b.code));
}
