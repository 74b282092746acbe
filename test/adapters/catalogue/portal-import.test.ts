import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { importPortalDirectory } from "../../../src/adapters/catalogue/portal-import.ts";
import { createCatalogueRepository } from "../../../src/adapters/postgres/catalogue-repository.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

const record = (code: string, name: string, fee = "Miễn phí") => ({
  ma_thu_tuc: code,
  ten_thu_tuc: name,
  cap_thuc_hien: "Cấp xã",
  cach_thuc_thuc_hien: `Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việc${fee}`,
  thanh_phan_ho_so: "Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai.1 bản chính",
});

describe.each(engines)("importing national-portal records (%s)", (engine) => {
  let dir: string;
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;

  beforeAll(async () => {
    ctx = await freshDatabase(engine);
    dir = await mkdtemp(path.join(tmpdir(), "tthc-import-"));
    await mkdir(path.join(dir, "bo-a"));
    await writeFile(path.join(dir, "bo-a", "9.000001.json"), JSON.stringify(record("9.000001", "Đăng ký khai sinh thử")));
    await writeFile(path.join(dir, "bo-a", "9.000002.json"), JSON.stringify(record("9.000002", "Đăng ký kết hôn thử", "10,000 Việt Nam Đồng")));
    await writeFile(path.join(dir, "bo-a", "broken.json"), '{"ma_thu_tuc": "9.000003", "ten_thu_tuc": ');
    await writeFile(path.join(dir, "bo-a", "nocode.json"), JSON.stringify({ ten_thu_tuc: "Không có mã" }));
    await writeFile(path.join(dir, "bo-a", "odd.json"), JSON.stringify(record("9.000004", "Thủ tục bảng lạ", "Phí : theo quy định")));
  });
  afterAll(async () => {
    await ctx.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it("imports the good records and reports the broken file and the record without a code", async () => {
    const repo = createCatalogueRepository(ctx.db.pool);
    const report = await importPortalDirectory(dir, repo);
    expect(report).toMatchObject({ files: 5, imported: 3, updated: 0, unchanged: 0 });
    expect(report.skipped.map((s) => [s.file, s.reason.split(":")[0]]).sort()).toEqual([
      ["bo-a/broken.json", "broken JSON"],
      ["bo-a/nocode.json", "record has no ma_thu_tuc (procedure code)"],
    ]);
    expect(report.partial).toEqual([
      { file: "bo-a/odd.json", code: "9.000004", warnings: [{ field: "cach_thuc_thuc_hien", message: 'Trực tiếp: fee not recognised: "Phí : theo quy định"' }] },
    ]);
    expect(await repo.size()).toMatchObject({ procedures: 3, portal: 3 });
    const found = await repo.searchByName("dang ky ket hon", 5);
    expect(found.map((p) => p.code)).toEqual(["9.000002"]);
  });

  it("reports everything unchanged on a second run, and exactly the edited record as updated", async () => {
    const repo = createCatalogueRepository(ctx.db.pool);
    expect(await importPortalDirectory(dir, repo)).toMatchObject({ imported: 0, updated: 0, unchanged: 3 });
    await writeFile(path.join(dir, "bo-a", "9.000002.json"), JSON.stringify(record("9.000002", "Đăng ký kết hôn thử", "20,000 Việt Nam Đồng")));
    expect(await importPortalDirectory(dir, repo)).toMatchObject({ imported: 0, updated: 1, unchanged: 2 });
    const row = await ctx.db.pool.query("select record -> 'channels' -> 0 -> 'fee' ->> 'amountVnd' as fee from procedures where code = '9.000002'");
    expect(row.rows[0].fee).toBe("20000");
    const runs = await ctx.db.pool.query("select count(*)::int as n from catalogue_imports where source = 'portal'");
    expect(runs.rows[0].n).toBe(3);
  });

  it("fails clearly on a directory with no records", async () => {
    const empty = await mkdtemp(path.join(tmpdir(), "tthc-empty-"));
    await expect(importPortalDirectory(empty, createCatalogueRepository(ctx.db.pool))).rejects.toThrow(/no \.json files found/);
    await rm(empty, { recursive: true });
  });
});
