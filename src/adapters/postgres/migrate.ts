import { readdir, readFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import path from "node:path";
import type pg from "pg";

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");
/** One advisory-lock key for "migrating this database"; concurrent migrators wait on it. */
const MIGRATION_LOCK_KEY = 7_401_120_251;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
  /** Migrations that need an extension this database lacks, with the reason. */
  skipped: { name: string; reason: string }[];
}

interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
  requires: string[];
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (file) => {
      const sql = await readFile(path.join(dir, file), "utf8");
      const requires = [...sql.matchAll(/^--\s*requires:\s*([a-z0-9_, ]+)$/gm)].flatMap((m) =>
        (m[1] ?? "").split(",").map((s) => s.trim()).filter(Boolean),
      );
      return {
        version: Number(file.slice(0, 3)),
        name: file,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
        requires,
      };
    }),
  );
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory lock so
 * two processes starting together apply each migration exactly once. Safe to run any number of times.
 * A migration marked `-- requires: <extension>` is skipped (and reported) when the database cannot
 * provide that extension; it is applied by a later run once the extension is installed.
 */
export async function migrate(pool: pg.Pool, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const migrations = await readMigrations(dir);
  const client = await pool.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [], skipped: [] };
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`create table if not exists schema_migrations (
        version     integer primary key,
        name        text not null,
        checksum    text not null,
        applied_at  timestamptz not null default now())`);
      const done = new Map(
        (await client.query<{ version: number; checksum: string }>("select version, checksum from schema_migrations")).rows.map(
          (r) => [r.version, r.checksum],
        ),
      );
      const available = new Set(
        (await client.query<{ name: string }>("select name from pg_available_extensions")).rows.map((r) => r.name),
      );
      for (const m of migrations) {
        const applied = done.get(m.version);
        if (applied !== undefined) {
          if (applied !== m.checksum) {
            throw new Error(
              `Migration ${m.name} was changed after it was applied (checksum differs). Add a new migration instead of editing an applied one.`,
            );
          }
          result.alreadyApplied.push(m.name);
          continue;
        }
        const missing = m.requires.filter((ext) => !available.has(ext));
        if (missing.length > 0) {
          result.skipped.push({
            name: m.name,
            reason: `the database has no ${missing.join(", ")} extension (not in pg_available_extensions)`,
          });
          continue;
        }
        await client.query("begin");
        try {
          await client.query(m.sql);
          await client.query("insert into schema_migrations (version, name, checksum) values ($1, $2, $3)", [
            m.version,
            m.name,
            m.checksum,
          ]);
          await client.query("commit");
        } catch (error) {
          await client.query("rollback");
          throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`, { cause: error });
        }
        result.applied.push(m.name);
      }
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return result;
}

/** Whether vector search can run here: the `vector` extension is installed in this database. */
export async function hasVectorSearch(pool: pg.Pool): Promise<boolean> {
  const r = await pool.query("select 1 from pg_extension where extname = 'vector'");
  return (r.rowCount ?? 0) > 0;
}
