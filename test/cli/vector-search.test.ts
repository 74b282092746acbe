import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import pino from "pino";
import { syncKnowledge } from "../../src/adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import { buildAssistant } from "../../src/cli/assistant-factory.ts";
import { freshDatabase } from "../support/databases.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../fakes/fake-openai-server.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("vector search through an OpenAI-compatible embeddings endpoint (fake server)", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let fake: FakeOpenAI;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    await syncKnowledge(path.join(ROOT, "knowledge"), createCatalogueRepository(ctx.db.pool));
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
    await ctx.dispose();
  });

  const build = () =>
    buildAssistant({
      db: ctx.db,
      log: pino({ level: "silent" }),
      knowledgeDir: path.join(ROOT, "knowledge"),
      promptsDir: path.join(ROOT, "prompts"),
      embeddings: { baseURL: fake.url, model: "fake-embed", timeoutMs: 2000 },
    });

  it("embeds every procedure once at start, and fuses the vector ranking into answers", async () => {
    const { assistant } = await build();
    const stored = await ctx.db.pool.query("select count(*)::int as n from procedure_embeddings where model = 'fake-embed'");
    const procedures = await ctx.db.pool.query("select count(*)::int as n from procedures");
    expect(stored.rows[0].n).toBe(procedures.rows[0].n);

    const before = fake.requests.length;
    const r = await assistant.handleDetailed({ channel: "web", chatId: "v1", text: "đăng ký tạm trú cho người thuê nhà", receivedAt: new Date() });
    expect(fake.requests.length).toBe(before + 1);
    expect(fake.requests.at(-1)!.input).toEqual(["đăng ký tạm trú cho người thuê nhà"]);
    expect(r.ranked?.[0]?.code).toBe("1.004194");
    expect(r.ranked?.[0]?.ranks.vector).toBeGreaterThan(0);

    // A second start finds nothing left to embed.
    const again = fake.requests.length;
    await build();
    expect(fake.requests.length).toBe(again);
  });

  it("still answers, from lexical search, when the embeddings endpoint fails", async () => {
    const { assistant } = await build();
    fake.setMode({ kind: "error", status: 500 });
    try {
      const r = await assistant.handleDetailed({ channel: "web", chatId: "v2", text: "đăng ký tạm trú cho người thuê nhà", receivedAt: new Date() });
      expect(r.outcome).toMatchObject({ kind: "answered", code: "1.004194" });
      expect(r.ranked?.[0]?.ranks.vector).toBeUndefined();
    } finally {
      fake.setMode({ kind: "ok" });
    }
  });
});
