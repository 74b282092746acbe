import { z } from "zod";
import { foldedTokens, normalizeText } from "../text/vietnamese.ts";

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

/** Phrase lists compiled to folded word sequences (matched as whole words, marks ignored). */
export interface DialogueRules {
  greetings: string[][];
  thanks: string[][];
  help: string[][];
  injection: string[][];
  personalData: string[][];
  outOfScope: string[][];
  status: string[][];
  fields: Record<Field, string[][]>;
}

const compile = (phrases: string[]) => phrases.map((p) => foldedTokens(normalizeText(p))).filter((t) => t.length > 0);

export function compileDialogue(file: DialogueFile): DialogueRules {
  return {
    greetings: compile(file.greetings),
    thanks: compile(file.thanks),
    help: compile(file.help),
    injection: compile(file.injection),
    personalData: compile(file.personalData),
    outOfScope: compile(file.outOfScope),
    status: compile(file.status),
    fields: Object.fromEntries(fieldOrder.map((f) => [f, compile(file.fields[f])])) as Record<Field, string[][]>,
  };
}

export function containsPhrase(words: string[], phrases: string[][]): boolean {
  return phrases.some((p) => indexOfWords(words, p) >= 0);
}

export function indexOfWords(words: string[], needle: string[]): number {
  outer: for (let i = 0; i + needle.length <= words.length; i++) {
    for (let j = 0; j < needle.length; j++) if (words[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** The fields a question asks about, in a stable order ("lệ phí bao nhiêu" → fees). */
export function askedFields(words: string[], rules: DialogueRules): Field[] {
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
