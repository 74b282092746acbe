import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { syncKnowledge } from "../../../src/adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../../../src/adapters/postgres/catalogue-repository.ts";
import { createProcedureSearch } from "../../../src/adapters/postgres/procedure-search.ts";
import { compileLexicon, LexiconFile } from "../../../src/core/text/lexicon.ts";
import { RetrievalConfig } from "../../../src/core/retrieval/config.ts";
import { retrieve, type RetrievalDeps } from "../../../src/core/retrieval/retrieve.ts";
import { engines, freshDatabase, type Engine } from "../../support/databases.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const QUESTIONS: [string, string][] = [
  ["làm giấy khai sinh cho con mới sinh", "1.001193"],
  ["cap lai gplx bi mat", "3.000348"],
  ["sổ đỏ nhà em bị mất, xin cấp lại", "1.012786"],
  ["chủ trọ đk tạm trú cho sv thuê phòng", "1.004194"],
  ["xin giay xac nhan tinh trang hon nhan", "1.004873"],
  ["thủ tụt tách thữa đất", "1.012784"],
  ["chứng thực chữ ký trên giấy ủy quyền", "2.000884"],
];

async function depsFor(engine: Engine) {
  const ctx = await freshDatabase(engine);
  await syncKnowledge(path.join(ROOT, "knowledge"), createCatalogueRepository(ctx.db.pool));
  const deps: RetrievalDeps = {
    search: createProcedureSearch(ctx.db.pool, { vector: false }),
    lexicon: compileLexicon(LexiconFile.parse(JSON.parse(await readFile(path.join(ROOT, "knowledge/lexicon.json"), "utf8")))),
    config: RetrievalConfig.parse(JSON.parse(await readFile(path.join(ROOT, "knowledge/retrieval.json"), "utf8"))),
  };
  return { ctx, deps };
}

describe("hybrid retrieval over the default catalogue", () => {
  const setups = new Map<Engine, Awaited<ReturnType<typeof depsFor>>>();
  beforeAll(async () => {
    for (const e of engines) setups.set(e, await depsFor(e));
  });
  afterAll(async () => {
    for (const s of setups.values()) await s.ctx.dispose();
  });

  it.each(QUESTIONS)("ranks the right procedure first for “%s”", async (question, code) => {
    for (const [engine, { deps }] of setups) {
      const r = await retrieve(deps, question);
      expect(r.ranked[0]?.code, `${engine}: ${r.ranked.slice(0, 3).map((c) => c.name).join(" | ")}`).toBe(code);
    }
  });

  it.runIf(engines.length > 1)("ranks the same way on PGlite and on the PostgreSQL server", async () => {
    for (const [question] of QUESTIONS) {
      const [a, b] = await Promise.all([...setups.values()].map(({ deps }) => retrieve(deps, question)));
      expect(b!.ranked.slice(0, 5).map((c) => c.code)).toEqual(a!.ranked.slice(0, 5).map((c) => c.code));
    }
  });

  it("cannot be steered by tsquery syntax in the question", async () => {
    const { deps } = setups.get("pglite")!;
    const r = await retrieve(deps, "khai sinh' | !'x & (:* <-> ) \\ ; drop table procedures; --");
    expect(r.ranked[0]?.name).toContain("khai sinh");
  });
});
