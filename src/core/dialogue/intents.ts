import { z } from "zod";
import { scanDossierCode } from "../cases/dossier-code.ts";
import { foldedTokens, hasDiacritics, normalizeText } from "../text/vietnamese.ts";

/** `knowledge/dialogue.json`: what the dialogue recognises before searching the catalogue. */
export const DialogueFile = z
  .object({
    $comment: z.string().optional(),
    greetings: z.array(z.string().min(1)),
    thanks: z.array(z.string().min(1)),
    help: z.array(z.string().min(1)),
    injection: z.array(z.string().min(1)),
    personalData: z.array(z.string().min(1)),
    outOfScope: z.array(z.string().min(1)),
    status: z.array(z.string().min(1)),
    /** Asking to rate a dossier ("đánh giá hồ sơ …"). */
    rating: z.array(z.string().min(1)),
    fields: z.object({
      fees: z.array(z.string().min(1)),
      time: z.array(z.string().min(1)),
      documents: z.array(z.string().min(1)),
      where: z.array(z.string().min(1)),
      online: z.array(z.string().min(1)),
      postal: z.array(z.string().min(1)),
      steps: z.array(z.string().min(1)),
    }),
  })
  .strict();
export type DialogueFile = z.infer<typeof DialogueFile>;

export type Field = keyof DialogueFile["fields"];
export const fieldOrder: Field[] = ["fees", "time", "documents", "where", "online", "postal", "steps"];

/** A phrase as words: folded, and with tone marks when it was written with them. */
export interface Phrase {
  folded: string[];
  accented: string[] | null;
}

/** Phrase lists compiled for whole-word matching. */
export interface DialogueRules {
  greetings: Phrase[];
  thanks: Phrase[];
  help: Phrase[];
  injection: Phrase[];
  personalData: Phrase[];
  outOfScope: Phrase[];
  status: Phrase[];
  rating: Phrase[];
  fields: Record<Field, Phrase[]>;
}

/** A message as words: folded always; with tone marks when it was typed with any. */
export interface MessageWords {
  folded: string[];
  accented: string[] | null;
}

export function messageWords(text: string): MessageWords {
  const accented = accentedWords(text);
  return { folded: accented.map((w) => foldedTokens(w)[0]!), accented: hasDiacritics(text) ? accented : null };
}

function accentedWords(text: string): string[] {
  return normalizeText(text).split(/[^\p{L}\p{N}]+/u).filter((t) => foldedTokens(t).length === 1);
}

const compile = (phrases: string[]): Phrase[] =>
  phrases
    .map((p) => {
      const accented = accentedWords(p);
      return { folded: accented.map((w) => foldedTokens(w)[0]!), accented: hasDiacritics(p) ? accented : null };
    })
    .filter((p) => p.folded.length > 0);

export function compileDialogue(file: DialogueFile): DialogueRules {
  return {
    greetings: compile(file.greetings),
    thanks: compile(file.thanks),
    help: compile(file.help),
    injection: compile(file.injection),
    personalData: compile(file.personalData),
    outOfScope: compile(file.outOfScope),
    status: compile(file.status),
    rating: compile(file.rating),
    fields: Object.fromEntries(fieldOrder.map((f) => [f, compile(file.fields[f])])) as Record<Field, Phrase[]>,
  };
}

/**
 * Whether the message holds one of the phrases as whole words: compared with tone marks when both
 * were written with them ("sốt" is not "sót"), otherwise without ("xo so" matches "xổ số").
 */
export function containsPhrase(words: MessageWords, phrases: Phrase[]): boolean {
  return phrases.some((p) =>
    words.accented && p.accented ? indexOfWords(words.accented, p.accented) >= 0 : indexOfWords(words.folded, p.folded) >= 0,
  );
}

export function indexOfWords(words: string[], needle: string[]): number {
  outer: for (let i = 0; i + needle.length <= words.length; i++) {
    for (let j = 0; j < needle.length; j++) if (words[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The fields a question asks about, in a stable order ("lệ phí bao nhiêu" → fees). */
export function askedFields(words: MessageWords, rules: DialogueRules): Field[] {
  return fieldOrder.filter((f) => containsPhrase(words, rules.fields[f]));
}

/**
 * The dossier code a message holds, as typed (upper case), valid or not: whether to route to the
 * status lookup. The parsing itself is `scanDossierCode` in src/core/cases/dossier-code.ts.
 */
export function findDossierCode(text: string): string | null {
  return scanDossierCode(text)?.raw ?? null;
}
