import { z } from "zod";
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
 * Dossier codes as citizens type them: the national format V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX
 * ("000.00.12.H29-250312-0042"), shortened unit prefixes ("H29.22-250312-0042"), lower case, and
 * provinces' free-form receipt numbers ("2508-HC-0045123"). Issue 4 parses them properly; here we
 * only need to recognise that one was sent.
 */
const DOSSIER_CODE = /(?<![\p{L}\p{N}])(?:(?:[a-z0-9]{2,4}[.\s]){0,4}[a-z0-9]{2,4}[-\s]\d{6}[-\s]\d{3,5}|\d{2,6}-[a-z]{1,4}-\d{4,9})(?![\p{L}\p{N}])/iu;

export function findDossierCode(text: string): string | null {
  const m = DOSSIER_CODE.exec(text);
  return m ? m[0].toUpperCase() : null;
}
