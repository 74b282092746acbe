import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { syncKnowledge } from "../../src/adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import { buildAssistant } from "../../src/cli/assistant-factory.ts";
import type { DetailedAssistant } from "../../src/core/dialogue/assistant.ts";
import type { Reply } from "../../src/core/dialogue/messages.ts";
import { freshDatabase } from "../support/databases.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const DIR = import.meta.dirname;
const files = readdirSync(DIR).filter((f) => f.endsWith(".txt")).sort();

function expand(text: string): string {
  return text.replace(/<<REPEAT (\d+) (.*?)>>/g, (_, n: string, s: string) => s.repeat(Number(n)));
}

describe("dialogue transcripts (test/dialogues)", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let assistant: DetailedAssistant;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    await syncKnowledge(path.join(ROOT, "knowledge"), createCatalogueRepository(ctx.db.pool));
    ({ assistant } = await buildAssistant({ db: ctx.db, log: pino({ level: "silent" }), knowledgeDir: path.join(ROOT, "knowledge"), promptsDir: path.join(ROOT, "prompts") }));
  });
  afterAll(async () => ctx.dispose());

  it.each(files)("%s", async (file) => {
    const lines = readFileSync(path.join(DIR, file), "utf8").split("\n");
    const chatId = `dialogue-${file}`;
    let last: { replies: Reply[]; kind: string } | null = null;
    let step = 0;
    const where = () => `${file}, step ${step}`;
    for (const line of lines) {
      if (line.startsWith("#") || line.trim() === "") continue;
      if (line.startsWith("> ") || line === ">") {
        step++;
        const r = await assistant.handleDetailed({ channel: "web", chatId, text: expand(line.slice(2)), receivedAt: new Date() });
        last = { replies: r.replies, kind: r.outcome.kind };
      } else if (line.startsWith("[")) {
        step++;
        const label = line.slice(1, -1);
        const choice = last?.replies.flatMap((r) => r.choices ?? []).find((c) => c.label === label);
        expect(choice, `${where()}: no button “${label}” in ${JSON.stringify(last?.replies.map((r) => r.choices))}`).toBeDefined();
        const r = await assistant.handleDetailed({ channel: "web", chatId, action: choice!.id, receivedAt: new Date() });
        last = { replies: r.replies, kind: r.outcome.kind };
      } else {
        expect(last, `${where()}: an expectation before any message`).not.toBeNull();
        const text = last!.replies.map((r) => [r.text, ...(r.choices ?? []).map((c) => c.label)].join("\n")).join("\n");
        if (line.startsWith("= ")) expect(last!.kind, `${where()}: decision`).toBe(line.slice(2).trim());
        else if (line.startsWith("!< ")) expect(text, `${where()}: must not contain`).not.toContain(line.slice(3));
        else if (line.startsWith("< ")) expect(text, `${where()}: must contain`).toContain(line.slice(2));
        else throw new Error(`${file}: cannot read line “${line}”`);
        // Every reply is polite Vietnamese text in NFC, never a stack trace.
        expect(text).toBe(text.normalize("NFC"));
        expect(text).not.toMatch(/Error:|at .*\.ts:\d+|undefined|null/);
      }
    }
  });
});
