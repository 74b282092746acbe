import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createEmbeddingStore, type EmbeddingStore } from "../../../src/adapters/postgres/embedding-store.ts";
import { createCatalogueRepository } from "../../../src/adapters/postgres/catalogue-repository.ts";
import { parsePortalRecord } from "../../../src/adapters/catalogue/portal-format.ts";
import { createEmbeddings, type Embeddings } from "../../../src/adapters/llm/embeddings.ts";
import { freshDatabase } from "../../support/databases.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../fakes/fake-openai-server.ts";

const MODEL = "fake-embed-vi";

function portal(code: string, name: string, field: string) {
  const o = parsePortalRecord({ ma_thu_tuc: code, ten_thu_tuc: name, linh_vuc: field, cap_thuc_hien: "Cấp xã" });
  if (!o.ok) throw new Error(o.reason);
  return o.procedure;
}

const birth = portal("1.001193", "Thủ tục đăng ký khai sinh", "Hộ tịch");
const idCard = portal("1.001234", "Cấp đổi thẻ căn cước", "Căn cước");

const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");

describe("the embedding store (PGlite)", () => {
  let fake: FakeOpenAI;
  let embeddings: Embeddings;
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let store: EmbeddingStore;

  /** What an indexing run does: embed what is pending, save it. */
  async function embedPending(model = MODEL): Promise<number> {
    const pending = await store.pending(model, 100);
    const vectors = await embeddings.embed(pending.map((p) => p.text));
    await store.save(model, pending.map((p, i) => ({ code: p.code, hash: p.hash, embedding: vectors[i]! })));
    return pending.length;
  }

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    embeddings = createEmbeddings({ baseURL: fake.url, model: MODEL });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(async () => {
    ctx = await freshDatabase("pglite");
    await createCatalogueRepository(ctx.db.pool).upsertPortal([birth, idCard]);
    store = createEmbeddingStore(ctx.db.pool);
  });
  afterEach(async () => {
    await ctx.dispose();
  });

  it("lists every procedure without a vector, with the text to embed and its md5", async () => {
    expect(await store.pending(MODEL, 10)).toEqual([
      { code: "1.001193", text: "Thủ tục đăng ký khai sinh. Hộ tịch", hash: md5("Thủ tục đăng ký khai sinh. Hộ tịch") },
      { code: "1.001234", text: "Cấp đổi thẻ căn cước. Căn cước", hash: md5("Cấp đổi thẻ căn cước. Căn cước") },
    ]);
    expect(await store.pending(MODEL, 1)).toHaveLength(1);
  });

  it("stores vectors, after which nothing is pending and the model's count is two", async () => {
    expect(await embedPending()).toBe(2);

    expect(await store.pending(MODEL, 10)).toEqual([]);
    expect(await store.count(MODEL)).toBe(2);
    expect(await store.count("another-model")).toBe(0);
    const r = await ctx.db.pool.query("select code, model, vector_dims(embedding) as dims from procedure_embeddings order by code");
    expect(r.rows).toEqual([
      { code: "1.001193", model: MODEL, dims: 64 },
      { code: "1.001234", model: MODEL, dims: 64 },
    ]);
  });

  it("makes a procedure pending again when its name changes, and replaces its vector on save", async () => {
    await embedPending();
    await createCatalogueRepository(ctx.db.pool).upsertPortal([{ ...birth, name: "Đăng ký khai sinh có yếu tố nước ngoài" }]);

    const pending = await store.pending(MODEL, 10);
    expect(pending.map((p) => [p.code, p.text])).toEqual([["1.001193", "Đăng ký khai sinh có yếu tố nước ngoài. Hộ tịch"]]);
    expect(await embedPending()).toBe(1);
    expect(await store.pending(MODEL, 10)).toEqual([]);
    expect(await store.count(MODEL)).toBe(2);
  });

  it("puts the curated summary and keywords between the name and the field", async () => {
    await ctx.db.pool.query(`update procedures set curated = $2::jsonb where code = $1`, [
      "1.001193",
      JSON.stringify({ code: "1.001193", name: "Đăng ký khai sinh", summary: "Khai sinh cho trẻ mới sinh.", keywords: ["giấy khai sinh", "làm khai sinh cho con"] }),
    ]);
    const [p] = await store.pending(MODEL, 1);
    expect(p!.text).toBe("Thủ tục đăng ký khai sinh. Khai sinh cho trẻ mới sinh. giấy khai sinh làm khai sinh cho con Hộ tịch");
    expect(p!.hash).toBe(md5(p!.text));
  });

  it("makes everything pending again for a different model, whose vectors then replace the old ones", async () => {
    await embedPending();
    expect((await store.pending("next-model", 10)).map((p) => p.code)).toEqual(["1.001193", "1.001234"]);
    expect(await embedPending("next-model")).toBe(2);
    expect(await store.count("next-model")).toBe(2);
    expect(await store.count(MODEL)).toBe(0);
  });

  it("skips vectors of procedures deleted since they were listed", async () => {
    const pending = await store.pending(MODEL, 10);
    await ctx.db.pool.query("delete from procedures where code = $1", ["1.001234"]);
    const vectors = await embeddings.embed(pending.map((p) => p.text));
    await store.save(MODEL, pending.map((p, i) => ({ code: p.code, hash: p.hash, embedding: vectors[i]! })));
    expect(await store.count(MODEL)).toBe(1);
  });

  it("finds the nearest procedure to a question: fake server → embeddings adapter → store → SQL", async () => {
    await embedPending();
    const nearest = async (question: string) => {
      const [q] = await embeddings.embed([question]);
      const r = await ctx.db.pool.query("select code from procedure_embeddings order by embedding <=> $1::vector limit 1", [`[${q!.join(",")}]`]);
      return r.rows[0]?.code as string | undefined;
    };
    expect(await nearest("tôi muốn làm lại thẻ căn cước")).toBe("1.001234");
    expect(await nearest("dang ky khai sinh cho con")).toBe("1.001193");
  });
});
