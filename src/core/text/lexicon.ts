import { z } from "zod";
import { foldedTokens, foldText, normalizeText } from "./vietnamese.ts";

/** `knowledge/lexicon.json`: how citizens write, mapped to the catalogue's words. */
export const LexiconFile = z
  .object({
    $comment: z.string().optional(),
    abbreviations: z.record(z.string().min(1), z.string().min(1)),
    phrases: z.record(z.string().min(1), z.string().min(1)),
    stopwords: z.array(z.string().min(1)),
  })
  .strict();
export type LexiconFile = z.infer<typeof LexiconFile>;

/** A phrase as folded tokens, with what it adds to the query. */
interface PhraseRule {
  tokens: string[];
  adds: string[];
}

/** The lexicon compiled for matching on folded tokens (so it works with and without tone marks). */
export interface Lexicon {
  /** Word as written (NFC, lower case) → replacement words, folded and with their tone marks. */
  abbreviations: Map<string, { folded: string[]; accented: string[] }>;
  phrases: PhraseRule[];
  /** Stopwords with tone marks ("đang"), matched when the question has tone marks. */
  stopwords: Set<string>;
  /** The same without tone marks ("dang"): ambiguous ("đang"/"đăng"), so used with care. */
  foldedStopwords: Set<string>;
  /** Multi-word stopwords ("thủ tục", "mọi người"), as folded token sequences. */
  stopPhrases: string[][];
}

export function compileLexicon(file: LexiconFile): Lexicon {
  const abbreviations = new Map<string, { folded: string[]; accented: string[] }>();
  // Keyed by the word as written; a key with tone marks ("mún") also answers to its folded form ("mun").
  const expansion = (to: string) => {
    const accented = normalizeText(to).split(/[^\p{L}\p{N}]+/u).filter((t) => foldedTokens(t).length === 1);
    return { folded: accented.map((t) => foldedTokens(t)[0]!), accented };
  };
  for (const [from, to] of Object.entries(file.abbreviations)) {
    abbreviations.set(normalizeText(from), expansion(to));
  }
  for (const [from, to] of Object.entries(file.abbreviations)) {
    const folded = foldText(normalizeText(from));
    if (!abbreviations.has(folded)) abbreviations.set(folded, expansion(to));
  }
  const phrases = Object.entries(file.phrases)
    .map(([from, to]) => ({ tokens: foldedTokens(normalizeText(from)), adds: foldedTokens(normalizeText(to)) }))
    .filter((p) => p.tokens.length > 0)
    // Longest first, so "bằng lái xe" wins over "bằng lái".
    .sort((a, b) => b.tokens.length - a.tokens.length);
  const stopwords = new Set<string>();
  const foldedStopwords = new Set<string>();
  const stopPhrases: string[][] = [];
  for (const w of file.stopwords) {
    const t = foldedTokens(normalizeText(w));
    if (t.length === 1) {
      stopwords.add(normalizeText(w));
      foldedStopwords.add(t[0]!);
    } else if (t.length > 1) stopPhrases.push(t);
  }
  // Longest first, so "mất bao lâu" is removed whole before "bao lâu" could take part of it.
  stopPhrases.sort((a, b) => b.length - a.length);
  return { abbreviations, phrases, stopwords, foldedStopwords, stopPhrases };
}
