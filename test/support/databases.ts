import pg from "pg";
import { createScratchDatabase, openDatabase, type Database } from "../../src/adapters/postgres/database.ts";
import { migrate } from "../../src/adapters/postgres/migrate.ts";

/**
 * The PostgreSQL server the server-side tests use: DATABASE_URL when set (CI sets it), otherwise the
 * local default. Each test creates its own database and drops it afterwards.
 */
const ADMIN_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

let reachable: Promise<string | null> | undefined;

/** null when the server answers; otherwise the reason it cannot be used (printed by the tests). */
export function serverUnavailableReason(): Promise<string | null> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("select 1");
      return null;
    } catch (error) {
      return `PostgreSQL server not reachable at ${new URL(ADMIN_URL).host} (${(error as Error).message})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return reachable;
}

/** The server's availability, resolved before tests are collected (top-level await in test files). */
export const serverMissing = await serverUnavailableReason();
if (serverMissing) {
  console.warn(`\n*** Tests on the PostgreSQL server DID NOT RUN: ${serverMissing}. .ci/run provides one. ***\n`);
}

export interface TempServerDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createServerDatabase(): Promise<TempServerDatabase> {
  return createScratchDatabase(ADMIN_URL, "test");
}

export type Engine = "pglite" | "server";
export const engines: Engine[] = serverMissing ? ["pglite"] : ["pglite", "server"];

let snapshot: Promise<Blob> | undefined;

/** initdb and migrations once per test process; each fresh database then loads the snapshot. */
function migratedSnapshot(): Promise<Blob> {
  snapshot ??= (async () => {
    const db = await openDatabase({ kind: "embedded" });
    await migrate(db.pool);
    const blob = await db.snapshot!();
    await db.close();
    return blob;
  })();
  return snapshot;
}

/** A fresh, migrated database of either kind, and how to dispose of it. */
export async function freshDatabase(engine: Engine): Promise<{ db: Database; dispose(): Promise<void> }> {
  if (engine === "pglite") {
    const db = await openDatabase({ kind: "embedded", snapshot: await migratedSnapshot() });
    return { db, dispose: () => db.close() };
  }
  const temp = await createServerDatabase();
  const db = await openDatabase({ kind: "server", url: temp.url });
  await migrate(db.pool);
  return {
    db,
    async dispose() {
      await db.close();
      await temp.drop();
    },
  };
}
