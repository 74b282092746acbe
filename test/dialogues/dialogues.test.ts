import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pino from "pino";
import { syncKnowledge } from "../../src/adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import { buildAssistant } from "../../src/cli/assistant-factory.ts";
import { readDialogueKnowledge } from "../../src/adapters/catalogue/knowledge-config.ts";
import { createConversationStore } from "../../src/adapters/postgres/conversation-store.ts";
import { createProcedureSearch } from "../../src/adapters/postgres/procedure-search.ts";
import type { ProcedureRecord } from "../../src/core/answers/compose.ts";
import { createAssistant } from "../../src/core/dialogue/assistant.ts";
import { dossier, InMemoryCaseRepository, InMemoryRateLimiter } from "../fakes/in-memory.ts";
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
  /** The same assistant with a case repository of demo dossiers, for files that say `@ cases`. */
  let withCases: DetailedAssistant;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    await syncKnowledge(path.join(ROOT, "knowledge"), createCatalogueRepository(ctx.db.pool));
    ({ assistant } = await buildAssistant({ db: ctx.db, log: pino({ level: "silent" }), knowledgeDir: path.join(ROOT, "knowledge"), promptsDir: path.join(ROOT, "prompts") }));
    const knowledge = await readDialogueKnowledge(path.join(ROOT, "knowledge"), path.join(ROOT, "prompts"));
    const search = createProcedureSearch(ctx.db.pool, { vector: false });
    withCases = createAssistant({
      retrieval: { search, lexicon: knowledge.lexicon, config: knowledge.retrieval },
      rules: knowledge.rules,
      templates: knowledge.templates,
      getProcedure: async (code) => (await search.get(code)) as ProcedureRecord | null,
      conversations: createConversationStore(ctx.db.pool),
      cases: {
        repository: demoDossiers(),
        limiter: new InMemoryRateLimiter(() => DEMO_NOW),
        limits: { lookups: { limit: 10, windowMs: 10 * 60_000 }, failures: { limit: 5, windowMs: 60 * 60_000 } },
        now: () => DEMO_NOW,
      },
    });
  });
  afterAll(async () => ctx.dispose());

  it.each(files)("%s", async (file) => {
    const lines = readFileSync(path.join(DIR, file), "utf8").split("\n");
    const chosen = lines.some((l) => l.trim() === "@ cases") ? withCases : assistant;
    // `@ group`: every message comes from a group chat (read by others).
    const context = lines.some((l) => l.trim() === "@ group") ? ({ context: "group" } as const) : {};
    const chatId = `dialogue-${file}`;
    let last: { replies: Reply[]; kind: string } | null = null;
    let step = 0;
    const where = () => `${file}, step ${step}`;
    for (const line of lines) {
      if (line.startsWith("#") || line.trim() === "" || line.trim() === "@ cases" || line.trim() === "@ group") continue;
      if (line.startsWith("> ") || line === ">") {
        step++;
        const r = await chosen.handleDetailed({ channel: "web", chatId, ...context, text: expand(line.slice(2)), receivedAt: new Date() });
        last = { replies: r.replies, kind: r.outcome.kind };
      } else if (line.startsWith("/ ")) {
        step++;
        const r = await chosen.handleDetailed({ channel: "web", chatId, ...context, action: `cmd:${line.slice(2).trim()}`, receivedAt: new Date() });
        last = { replies: r.replies, kind: r.outcome.kind };
      } else if (line.startsWith("[")) {
        step++;
        const label = line.slice(1, -1);
        const choice = last?.replies.flatMap((r) => r.choices ?? []).find((c) => c.label === label);
        expect(choice, `${where()}: no button “${label}” in ${JSON.stringify(last?.replies.map((r) => r.choices))}`).toBeDefined();
        const r = await chosen.handleDetailed({ channel: "web", chatId, ...context, action: choice!.id, receivedAt: new Date() });
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

/** "Now" for the demo dossiers, so that late and on-time stay what the transcripts say. */
const DEMO_NOW = new Date("2025-08-25T10:00:00+07:00");

/** Demo dossiers for transcripts (factors in plain text: the fake keeps them so). */
function demoDossiers(): InMemoryCaseRepository {
  const vn = (s: string) => new Date(`${s}+07:00`);
  return new InMemoryCaseRepository()
    .add(
      dossier({
        code: "000.00.22.H29-250812-0042",
        procedureName: "Đăng ký thường trú",
        channel: 1,
        status: 5,
        receivedAt: vn("2025-08-12T09:00:00"),
        appointmentAt: vn("2025-08-19T17:00:00"),
        supplements: [{ requestedAt: vn("2025-08-14T10:00:00"), resolvedAt: null, items: ["Giấy tờ chứng minh chỗ ở hợp pháp"] }],
      }),
      {
        factor: "6789",
        history: [
          { occurredAt: vn("2025-08-12T09:00:00"), status: 2, vendorStatus: null, note: null },
          { occurredAt: vn("2025-08-14T10:00:00"), status: 5, vendorStatus: "Chờ bổ sung", note: "Thiếu giấy tờ chứng minh chỗ ở" },
        ],
      },
    )
    .add(
      dossier({
        code: "000.00.21.H55-250807-0013",
        procedureName: "Cấp giấy phép xây dựng",
        channel: 2,
        status: 4,
        vendorStatus: "Đang thẩm định",
        receivedAt: vn("2025-08-07T09:00:00"),
        appointmentAt: vn("2025-08-20T17:00:00"),
      }),
      { factor: "1111", history: [{ occurredAt: vn("2025-08-07T09:00:00"), status: 2, vendorStatus: null, note: null }] },
    );
}
