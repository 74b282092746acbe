import { readFile } from "node:fs/promises";
import path from "node:path";
import { compileLexicon, LexiconFile, type Lexicon } from "../../core/text/lexicon.ts";
import { RetrievalConfig } from "../../core/retrieval/config.ts";
import { compileDialogue, DialogueFile, type DialogueRules } from "../../core/dialogue/intents.ts";
import { validateTemplates, type Templates } from "../../core/dialogue/templates.ts";

export interface DialogueKnowledge {
  lexicon: Lexicon;
  retrieval: RetrievalConfig;
  rules: DialogueRules;
  templates: Templates;
}

/** Reads and validates the data the dialogue runs on; throws naming the file and the problem. */
export async function readDialogueKnowledge(knowledgeDir: string, promptsDir: string): Promise<DialogueKnowledge> {
  const read = async (file: string): Promise<unknown> => {
    try {
      return JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
    }
  };
  const parse = <T>(file: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, value: unknown): T => {
    const r = schema.safeParse(value);
    if (!r.success) throw new Error(`${file}: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return r.data;
  };
  const lexiconFile = path.join(knowledgeDir, "lexicon.json");
  const retrievalFile = path.join(knowledgeDir, "retrieval.json");
  const dialogueFile = path.join(knowledgeDir, "dialogue.json");
  const templatesFile = path.join(promptsDir, "replies.vi.json");
  let templates: Templates;
  try {
    templates = validateTemplates(await read(templatesFile));
  } catch (error) {
    throw new Error(`${templatesFile}: ${(error as Error).message}`, { cause: error });
  }
  return {
    lexicon: compileLexicon(parse(lexiconFile, LexiconFile, await read(lexiconFile))),
    retrieval: parse(retrievalFile, RetrievalConfig, await read(retrievalFile)),
    rules: compileDialogue(parse(dialogueFile, DialogueFile, await read(dialogueFile))),
    templates,
  };
}
