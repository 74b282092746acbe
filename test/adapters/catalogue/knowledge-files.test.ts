import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { KnowledgeError, readKnowledge, syncKnowledge } from "../../../src/adapters/catalogue/knowledge-files.ts";
import { parsePortalRecord } from "../../../src/adapters/catalogue/portal-format.ts";
import { createCatalogueRepository } from "../../../src/adapters/postgres/catalogue-repository.ts";
import { factKeys, topics } from "../../../src/core/procedure.ts";
import { freshDatabase } from "../../support/databases.ts";
import { SHARED_CATALOGUE, sharedCatalogueMissing } from "../../support/shared.ts";
import { listFiles } from "../../../src/adapters/catalogue/knowledge-files.ts";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../../..");
const KNOWLEDGE = path.join(ROOT, "knowledge");

export const validProcedure = {
  code: "9.100001",
  name: "Thủ tục đăng ký thử nghiệm",
  topic: "ho-tich",
  summary: "Thủ tục dùng để kiểm thử bộ kiểm tra danh mục.",
  steps: ["Chuẩn bị hồ sơ.", "Nộp hồ sơ tại Ủy ban nhân dân cấp xã."],
  conditions: [],
  keywords: ["thu nghiem"],
  onlineLevel: "partial",
  level: ["commune"],
  field: "Hộ tịch",
  agency: "Ủy ban nhân dân cấp xã",
  competentAuthority: null,
  audience: "Công dân Việt Nam",
  channels: [
    { channel: "in_person", timeLimit: { text: "1 Ngày làm việc", value: 1, unit: "working_day" }, fee: { text: "Miễn phí", amountVnd: 0 }, note: null },
    { channel: "online", timeLimit: { text: "1 Ngày làm việc", value: 1, unit: "working_day" }, fee: { text: "Miễn phí", amountVnd: 0 }, note: null },
  ],
  documents: [{ group: null, name: "Tờ khai", form: null, copies: { original: 1, copy: 0 } }],
  result: ["Giấy xác nhận"],
  legalBasis: [{ title: "Luật Hộ tịch", code: "60/2014/QH13" }],
  decision: null,
  sourceUrl: "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/x",
};

async function knowledgeDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "tthc-kb-"));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return dir;
}

const guide = "---\nid: huong-dan\ntitle: Hướng dẫn thử\nkeywords: thử, thu\n---\nNội dung hướng dẫn đủ dài để được coi là một hướng dẫn thật sự cho người dân.\n";

describe("the default catalogue shipped in knowledge/", () => {
  it("is valid, has at least 120 procedures over every topic, and the five guides", async () => {
    const k = await readKnowledge(KNOWLEDGE);
    expect(k.problems).toEqual([]);
    expect(k.procedures.length).toBeGreaterThanOrEqual(120);
    expect(new Set(k.procedures.map((p) => p.topic))).toEqual(new Set(topics));
    expect(k.guides.map((g) => g.id).sort()).toEqual([
      "buu-chinh-cong-ich",
      "ho-so-tre-han",
      "muc-do-dich-vu-cong",
      "nop-truc-tuyen",
      "trung-tam-phuc-vu-hanh-chinh-cong",
    ]);
  });

  it.skipIf(sharedCatalogueMissing)("agrees with the official record on every fact", async () => {
    const official = new Map<string, Record<string, unknown>>();
    for (const file of (await listFiles(SHARED_CATALOGUE)).filter((f) => f.endsWith(".json"))) {
      const outcome = parsePortalRecord(JSON.parse(await readFile(file, "utf8")));
      if (outcome.ok) official.set(outcome.procedure.code, outcome.procedure);
    }
    const k = await readKnowledge(KNOWLEDGE);
    const disagreements: string[] = [];
    for (const p of k.procedures) {
      const o = official.get(p.code);
      if (!o) {
        disagreements.push(`${p.code}: not in the official records`);
        continue;
      }
      for (const key of factKeys) {
        if (JSON.stringify(p[key]) !== JSON.stringify(o[key])) disagreements.push(`${p.code}: ${key} differs`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

describe("npm run kb:check", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  async function check(dir: string): Promise<{ code: number; out: string }> {
    dirs.push(dir);
    try {
      const r = await run(process.execPath, ["--import", "tsx", "src/cli/kb-check.ts", dir], { cwd: ROOT });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  it("passes a valid catalogue", async () => {
    const dir = await knowledgeDir({
      "procedures/ho-tich/9.100001.json": JSON.stringify(validProcedure),
      "guides/huong-dan.md": guide,
    });
    const r = await check(dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("1 procedures (ho-tich 1), 1 guides");
  });

  it("fails on a broken file and names each problem", async () => {
    const decomposed = "Thủ tục đăng ký".normalize("NFD");
    const dir = await knowledgeDir({
      "procedures/ho-tich/9.100001.json": JSON.stringify(validProcedure).slice(0, -5),
      "procedures/ho-tich/9.100002.json": JSON.stringify({ ...validProcedure, code: "9.100003" }),
      "procedures/ho-tich/9.100004.json": JSON.stringify({ ...validProcedure, code: "9.100004", name: decomposed }),
      "procedures/cu-tru/9.100009.json": JSON.stringify({ ...validProcedure, code: "9.100009" }),
      "procedures/ho-tich/9.100005.json": JSON.stringify({ ...validProcedure, code: "9.100005", onlineLevel: "full", channels: [validProcedure.channels[0]] }),
      "procedures/ho-tich/9.100006.json": JSON.stringify({ ...validProcedure, code: "9.100006", fee: "bịa" }),
      "guides/huong-dan.md": "Không có phần đầu.",
    });
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain("procedures/ho-tich/9.100001.json: broken JSON");
    expect(r.out).toContain("procedures/ho-tich/9.100002.json: file name must be the code: 9.100003.json");
    expect(r.out).toContain("procedures/ho-tich/9.100004.json: name: text must be Unicode NFC");
    expect(r.out).toContain('procedures/cu-tru/9.100009.json: topic "ho-tich" does not match its folder "cu-tru"');
    expect(r.out).toContain('procedures/ho-tich/9.100005.json: onlineLevel: is "full" but no online channel is listed');
    expect(r.out).toContain("procedures/ho-tich/9.100006.json: (file): Unrecognized key");
    expect(r.out).toContain("guides/huong-dan.md: missing the header block");
    expect(r.out).toContain("kb:check failed");
  });
});

describe("loading the default catalogue into the database", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
  });
  afterAll(async () => ctx.dispose());

  it("loads, changes nothing on a second load, and withdraws a procedure whose file is gone", async () => {
    const repo = createCatalogueRepository(ctx.db.pool);
    const second = { ...validProcedure, code: "9.100002", name: "Thủ tục thứ hai" };
    const dir = await knowledgeDir({
      "procedures/ho-tich/9.100001.json": JSON.stringify(validProcedure),
      "procedures/ho-tich/9.100002.json": JSON.stringify(second),
      "guides/huong-dan.md": guide,
    });
    expect((await syncKnowledge(dir, repo)).procedures).toEqual({ imported: 2, updated: 0, unchanged: 0, removed: 0 });
    expect((await syncKnowledge(dir, repo)).procedures).toEqual({ imported: 0, updated: 0, unchanged: 2, removed: 0 });
    await rm(path.join(dir, "procedures/ho-tich/9.100002.json"));
    expect((await syncKnowledge(dir, repo)).procedures).toEqual({ imported: 0, updated: 0, unchanged: 1, removed: 1 });
    expect(await repo.size()).toMatchObject({ procedures: 1, curated: 1, guides: 1 });
    await rm(dir, { recursive: true });
  });

  it("refuses to load a catalogue with any invalid file, and loads nothing of it", async () => {
    const repo = createCatalogueRepository(ctx.db.pool);
    const before = await repo.size();
    const dir = await knowledgeDir({
      "procedures/ho-tich/9.100007.json": JSON.stringify({ ...validProcedure, code: "9.100007" }),
      "procedures/ho-tich/9.100008.json": "{",
    });
    await expect(syncKnowledge(dir, repo)).rejects.toBeInstanceOf(KnowledgeError);
    expect(await repo.size()).toEqual(before);
    await rm(dir, { recursive: true });
  });

  it("keeps the curated words when the national catalogue is imported over the same code, with the portal's facts on top", async () => {
    const repo = createCatalogueRepository(ctx.db.pool);
    const dir = await knowledgeDir({ "procedures/ho-tich/9.100001.json": JSON.stringify(validProcedure), "guides/huong-dan.md": guide });
    await syncKnowledge(dir, repo);
    const portalVersion = parsePortalRecord({
      ma_thu_tuc: "9.100001",
      ten_thu_tuc: "Thủ tục đăng ký thử nghiệm (sửa đổi)",
      cap_thuc_hien: "Cấp xã",
      cach_thuc_thuc_hien: "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp2 Ngày làm việcMiễn phí",
    });
    if (!portalVersion.ok) throw new Error(portalVersion.reason);
    await repo.upsertPortal([portalVersion.procedure]);
    const r = await ctx.db.pool.query("select name, record ->> 'summary' as summary, record -> 'channels' -> 0 -> 'timeLimit' ->> 'value' as days from procedures where code = '9.100001'");
    expect(r.rows[0]).toEqual({ name: "Thủ tục đăng ký thử nghiệm (sửa đổi)", summary: validProcedure.summary, days: "2" });
    await rm(dir, { recursive: true });
  });
});
