import { loadConfig, ConfigError, type Config } from "../config.ts";
import { createLogger, type Logger } from "../logger.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createScratchDatabase, openDatabase, type Database } from "../adapters/postgres/database.ts";
import { migrate, hasVectorSearch, type MigrationResult } from "../adapters/postgres/migrate.ts";

export interface CliContext {
  config: Config;
  log: Logger;
  db: Database;
  migration: MigrationResult;
}

/** Opens the configured database and brings its schema up to date; logs vector availability once. */
export async function openConfiguredDatabase(
  config: Config,
  log: Logger,
): Promise<{ db: Database; migration: MigrationResult }> {
  const db = await openDatabase(
    config.database.kind === "server"
      ? { kind: "server", url: config.database.url }
      : { kind: "embedded", dataDir: config.database.dataDir },
  );
  const result = await migrate(db.pool);
  if (result.applied.length > 0) log.info({ applied: result.applied }, "database migrations applied");
  for (const s of result.skipped) {
    log.warn(`vector search is off: ${s.reason}; ${s.name} will be applied once the extension is installed (on Debian: apt-get install postgresql-15-pgvector)`);
  }
  if (result.skipped.length === 0 && !(await hasVectorSearch(db.pool))) {
    log.warn("vector search is off: the vector extension is not installed in this database");
  }
  return { db, migration: result };
}

/**
 * A throw-away database for a benchmark: a scratch database beside DATABASE_URL's (`server`), or an
 * embedded one in a temporary directory. `dispose` closes it and drops or deletes it. Exits 2 when
 * `server` is asked for without DATABASE_URL.
 */
export async function openScratchDatabase(config: Config, options: { server: boolean; name: string; max?: number }): Promise<{ db: Database; dispose(): Promise<void> }> {
  if (options.server) {
    if (config.database.kind !== "server") {
      console.error("--server needs DATABASE_URL");
      process.exit(2);
    }
    const scratch = await createScratchDatabase(config.database.url, options.name);
    const db = await openDatabase({ kind: "server", url: scratch.url, max: options.max ?? 4 });
    return { db, dispose: async () => (await db.close(), await scratch.drop()) };
  }
  const dir = await mkdtemp(path.join(tmpdir(), `${options.name}-`));
  const db = await openDatabase({ kind: "embedded", dataDir: dir });
  return { db, dispose: async () => (await db.close(), await rm(dir, { recursive: true, force: true })) };
}

/**
 * Runs a command with the configuration, a logger (to stderr, so stdout stays the command's
 * output) and the migrated database; prints a clear message and exits non-zero on failure.
 */
export async function runCli(main: (ctx: CliContext, args: string[]) => Promise<number | void>): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, process.stderr as never);
  let db: Database | undefined;
  try {
    const opened = await openConfiguredDatabase(config, log);
    db = opened.db;
    const code = await main({ config, log, db, migration: opened.migration }, process.argv.slice(2));
    process.exitCode = code ?? 0;
  } catch (error) {
    console.error(`Error: ${(error as Error).message}`);
    process.exitCode = 1;
  } finally {
    await db?.close();
  }
}
