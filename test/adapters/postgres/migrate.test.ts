import { afterAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDatabase } from "../../../src/adapters/postgres/database.ts";
import { hasVectorSearch, migrate, readMigrations } from "../../../src/adapters/postgres/migrate.ts";
import { createServerDatabase, serverMissing } from "../../support/databases.ts";

const all = (await readMigrations()).map((m) => m.name);

describe("migrations on the embedded database (PGlite)", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("applies every migration on first start, with unaccent, pg_trgm and vector available", async () => {
    const db = await openDatabase({ kind: "embedded" });
    try {
      const result = await migrate(db.pool);
      expect(result.applied).toEqual(all);
      expect(result.skipped).toEqual([]);
      expect(await hasVectorSearch(db.pool)).toBe(true);
      const r = await db.pool.query("select public.vn_fold('Đăng Ký Khai Sinh') as f, similarity('khai sinh', 'khai sinh lai') > 0.5 as t");
      expect(r.rows[0]).toEqual({ f: "dang ky khai sinh", t: true });
    } finally {
      await db.close();
    }
  });

  it("persists under the data directory: a reopened database has nothing left to apply", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-pglite-"));
    dirs.push(dir);
    const first = await openDatabase({ kind: "embedded", dataDir: path.join(dir, "data") });
    await migrate(first.pool);
    await first.pool.query("insert into guides (id, title, body) values ('x', 'Tiêu đề', 'Nội dung')");
    await first.close();

    const again = await openDatabase({ kind: "embedded", dataDir: path.join(dir, "data") });
    try {
      const result = await migrate(again.pool);
      expect(result.applied).toEqual([]);
      expect(result.alreadyApplied).toEqual(all);
      expect((await again.pool.query("select title from guides")).rows).toEqual([{ title: "Tiêu đề" }]);
    } finally {
      await again.close();
    }
  });

  it("refuses a migration edited after it was applied", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-mig-"));
    dirs.push(dir);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(dir, "001_one.sql"), "create table t1 (id int);");
    const db = await openDatabase({ kind: "embedded" });
    try {
      await migrate(db.pool, dir);
      await writeFile(path.join(dir, "001_one.sql"), "create table t1 (id bigint);");
      await expect(migrate(db.pool, dir)).rejects.toThrow(/001_one\.sql was changed after it was applied/);
    } finally {
      await db.close();
    }
  });

  it("rolls back a failing migration and applies nothing of it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-mig-"));
    dirs.push(dir);
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(dir, "001_bad.sql"), "create table half (id int); select * from no_such_table;");
    const db = await openDatabase({ kind: "embedded" });
    try {
      await expect(migrate(db.pool, dir)).rejects.toThrow(/001_bad\.sql failed/);
      const r = await db.pool.query("select to_regclass('half') as t, (select count(*)::int from schema_migrations) as n");
      expect(r.rows[0]).toEqual({ t: null, n: 0 });
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(serverMissing)("migrations on the PostgreSQL server", () => {
  it("two processes migrating at once apply each migration exactly once", async () => {
    const temp = await createServerDatabase();
    const a = await openDatabase({ kind: "server", url: temp.url });
    const b = await openDatabase({ kind: "server", url: temp.url });
    try {
      const [ra, rb] = await Promise.all([migrate(a.pool), migrate(b.pool)]);
      const vector = (await a.pool.query("select 1 from pg_available_extensions where name = 'vector'")).rowCount! > 0;
      const expected = vector ? all : all.filter((m) => m !== "002_embeddings.sql");
      // One of them did the work; the other found it done.
      expect([...ra.applied, ...rb.applied].sort()).toEqual(expected);
      const versions = await a.pool.query("select name from schema_migrations order by version");
      expect(versions.rows.map((r) => r.name)).toEqual(expected);
      const again = await migrate(a.pool);
      expect(again.applied).toEqual([]);
      expect(await hasVectorSearch(a.pool)).toBe(vector);
      if (!vector) {
        // The honest message: everything but vector search works, and the reason is given.
        expect(again.skipped).toEqual([
          { name: "002_embeddings.sql", reason: "the database has no vector extension (not in pg_available_extensions)" },
        ]);
        const fold = await a.pool.query("select public.vn_fold('Giấy phép lái xe') as f");
        expect(fold.rows[0].f).toBe("giay phep lai xe");
      }
    } finally {
      await a.close();
      await b.close();
      await temp.drop();
    }
  });
});
