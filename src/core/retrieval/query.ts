import type { Lexicon } from "../text/lexicon.ts";
import { foldedTokens, hasDiacritics, normalizeText } from "../text/vietnamese.ts";

/** What retrieval needs to know about a question. */
export interface AnalysedQuery {
  /** NFC, lower case, one tone-mark position. */
  normalized: string;
  hasDiacritics: boolean;
  /** Folded content words in order: abbreviations expanded, phrases rewritten, stopwords removed. */
  terms: string[];
  /** Adjacent content-word pairs ("khai sinh"). */
  bigrams: string[];
  /** Content words with their tone marks as typed (for the accented index). */
  accentedTerms: string[];
  /** The lexicon phrases recognised ("sổ đỏ"), for explanations. */
  phrases: string[];
  /** Folded words the lexicon produced (from an abbreviation or phrase): strong, curated signals. */
  lexical: string[];
  /** Folded word → the forms it was typed in with tone marks ("nhan" → ["nhận"]). */
  accents: Record<string, string[]>;
}

/** Longest input the analyser reads: a long story is cut, not rejected. */
export const MAX_QUERY_CHARS = 1000;

export interface AnalyseOptions {
  /** Without tone marks: a folded stopword that is also a catalogue word ("dang": đang/đăng) is kept. */
  ambiguousStop?: (folded: string) => boolean;
  /** An abbreviation the catalogue itself uses ("bhxh") is kept beside its expansion. */
  keepAbbreviation?: (folded: string) => boolean;
}

interface Word {
  folded: string;
  /** As typed, with tone marks; null for words a phrase rule produced. */
  accented: string | null;
  stop: boolean;
  /** Produced by the lexicon (abbreviation or phrase): a curated signal. */
  lexical: boolean;
}

/**
 * Question → search words: NFC and tone marks normalised; abbreviations expanded ("ks" → "khai
 * sinh"); stop phrases about the asked field ("mất bao lâu") removed first, so their words cannot be
 * misread ("mất" = lost); citizen phrases rewritten to the catalogue's wording ("sổ đỏ" → "giấy chứng
 * nhận quyền sử dụng đất"); stopwords removed, by their tone-marked form when the question has marks.
 */
export function analyseQuery(text: string, lexicon: Lexicon, options: AnalyseOptions = {}): AnalysedQuery {
  const normalized = normalizeText(text.slice(0, MAX_QUERY_CHARS));
  const marked = hasDiacritics(normalized);

  let words: Word[] = [];
  for (const t of normalized.split(/[^\p{L}\p{N}]+/u)) {
    const f = foldedTokens(t);
    if (f.length !== 1) continue;
    const expanded = lexicon.abbreviations.get(t);
    if (expanded) {
      if (options.keepAbbreviation?.(f[0]!)) words.push({ folded: f[0]!, accented: null, stop: false, lexical: true });
      // The expansion's own words are checked against the stopwords ("e" → "em" is a pronoun).
      expanded.folded.forEach((folded, i) =>
        words.push({ folded, accented: null, stop: lexicon.stopwords.has(expanded.accented[i]!), lexical: true }),
      );
    } else {
      words.push({ folded: f[0]!, accented: t, stop: false, lexical: false });
    }
  }

  // Stop phrases first ("mất bao lâu", "thủ tục"): their words must not trigger a phrase rule.
  for (const phrase of lexicon.stopPhrases) {
    for (let at = indexOf(words, phrase); at >= 0; at = indexOf(words, phrase, at + phrase.length)) {
      for (let i = 0; i < phrase.length; i++) words[at + i]!.stop = true;
    }
  }

  // Phrases, longest first, replace the citizen's words with the catalogue's.
  const phrases: string[] = [];
  for (const rule of lexicon.phrases) {
    const at = indexOf(words, rule.tokens);
    if (at < 0) continue;
    phrases.push(rule.tokens.join(" "));
    const replacement = rule.adds.map((folded) => ({ folded, accented: null, stop: false, lexical: true }));
    words = [...words.slice(0, at), ...replacement, ...words.slice(at + rule.tokens.length)];
  }

  for (const w of words) {
    if (w.stop || w.accented === null) continue;
    w.stop = marked
      ? lexicon.stopwords.has(w.accented)
      : lexicon.foldedStopwords.has(w.folded) && !(options.ambiguousStop?.(w.folded) ?? false);
  }

  const terms: string[] = [];
  const bigrams: string[] = [];
  const accentedTerms: string[] = [];
  const lexical: string[] = [];
  const accents: Record<string, string[]> = {};
  words.forEach((w, i) => {
    if (w.stop) return;
    terms.push(w.folded);
    if (w.accented) {
      accentedTerms.push(w.accented);
      if (hasDiacritics(w.accented)) (accents[w.folded] ??= []).push(w.accented);
    }
    if (w.lexical) lexical.push(w.folded);
    const next = words[i + 1];
    if (next && !next.stop) bigrams.push(`${w.folded} ${next.folded}`);
  });
  return {
    normalized,
    hasDiacritics: marked,
    terms: unique(terms),
    bigrams: unique(bigrams),
    accentedTerms: unique(accentedTerms),
    phrases,
    lexical: unique(lexical),
    accents,
  };
}

export function pairs(tokens: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]} ${tokens[i + 1]}`);
  return out;
}

/** Position of a folded word sequence among words not already removed as stop phrases. */
function indexOf(words: Word[], needle: string[], from = 0): number {
  outer: for (let i = from; i + needle.length <= words.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      const w = words[i + j]!;
      if (w.stop || w.folded !== needle[j]) continue outer;
    }
    return i;
  }
  return -1;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
