import { loadConfig, ConfigError, type Config } from "../config.ts";
import { createLogger, type Logger } from "../logger.ts";
import { openDatabase, type Database } from "../adapters/postgres/database.ts";
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
