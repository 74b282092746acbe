import pg from "pg";
import { PGlite } from "@electric-sql/pglite";
import { createPgConfig } from "@electric-sql/pglite/node-postgres";
import { unaccent } from "@electric-sql/pglite/contrib/unaccent";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { vector } from "@electric-sql/pglite-pgvector";
import { mkdir } from "node:fs/promises";

/** What the rest of the program holds: a `pg` pool, whichever engine is behind it. */
export interface Database {
  readonly kind: "embedded" | "server";
  /** Where the data lives, safe to print (no password). */
  readonly location: string;
  readonly pool: pg.Pool;
  /** A snapshot of an embedded database (for fast test fixtures); undefined on a server. */
  snapshot?(): Promise<Blob>;
  close(): Promise<void>;
}

export type DatabaseOptions =
  | { kind: "embedded"; dataDir?: string; /** Start from a saved snapshot (PGlite dumpDataDir), e.g. test fixtures. */ snapshot?: Blob }
  | { kind: "server"; url: string; max?: number };

/**
 * Opens the embedded PGlite database (a directory, created on first use; in memory when no
 * directory is given) or connects to a PostgreSQL server. Both are reached through `pg.Pool`,
 * so every repository speaks one SQL dialect through one interface.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === "server") {
    const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 10 });
    // A server that restarts drops idle connections: log-worthy, never a crash.
    pool.on("error", () => undefined);
    return {
      kind: "server",
      location: redactUrl(options.url),
      pool,
      close: () => pool.end(),
    };
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const pglite = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.snapshot ? { loadDataDir: options.snapshot } : {}),
    extensions: { unaccent, pg_trgm, vector },
  });
  // PGlite is a single connection: the pool hands it out to one caller at a time.
  const pool = new pg.Pool(createPgConfig(pglite));
  return {
    kind: "embedded",
    location: options.dataDir ?? "memory://",
    pool,
    snapshot: async () => (await pglite.dumpDataDir("none")) as Blob,
    close: async () => {
      await pool.end();
      await pglite.close();
    },
  };
}

/** postgres://user:secret@host/db → postgres://user:***@host/db */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparseable URL)";
  }
}

/**
 * Creates an empty database beside the one at `url` (on the same server) and returns its URL and a
 * function that drops it. For benchmarks and tools that must not touch the configured database.
 */
export async function createScratchDatabase(url: string, prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`.replace(/[^a-z0-9_]/g, "_");
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
