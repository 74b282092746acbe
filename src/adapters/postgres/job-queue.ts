import { maskPersonalNumbers } from "../../core/privacy.ts";
import PgBoss from "pg-boss";
import type pg from "pg";
import type { Logger } from "../../logger.ts";

/** The queues this program uses; pg-boss 10 requires each to be created before use. */
export const QUEUES = {
  dossierNotify: "dossier-notify",
} as const;
/** A queue name: one of QUEUES, or a per-channel notification queue (`dossier-notify-web`). */
export type QueueName = string;

export interface JobQueueOptions {
  /** The program's pool (server or embedded PGlite); pg-boss shares it. */
  pool?: pg.Pool;
  /** Or a server URL: pg-boss then opens its own small pool. */
  connectionString?: string;
  log: Logger;
  /** Queues created at start besides QUEUES (per-channel notification queues). */
  queues?: string[];
  /** How often an idle worker looks for jobs; pg-boss's minimum is 0.5 s. Default 2 s. */
  pollingIntervalSeconds?: number;
  /** Retries of a failed job (after the first attempt). Default 8. */
  retryLimit?: number;
  /** Seconds before the first retry; doubled each time (with jitter) when `retryBackoff`. Default 5. */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A job still "active" this long after it started is taken as lost (a crashed process) and retried by
   *  maintenance; keep it below the dispatcher's claim timeout. Default 60. */
  expireInSeconds?: number;
}

export interface Job<T> {
  id: string;
  data: T;
  /** Retries already made (0 on the first attempt). */
  retryCount: number;
  retryLimit: number;
}

export interface SendOptions {
  /** A deterministic job id makes sending idempotent: a second send with the same id is a no-op. */
  id?: string;
  singletonKey?: string;
  /** Not before this time (database clock). */
  startAfter?: Date;
}

/** pg-boss behind the few calls the program makes. */
export interface JobQueue {
  start(): Promise<void>;
  /** Stops fetching and waits for the jobs in hand to finish. */
  stop(): Promise<void>;
  /** The id of the new job, or null when a job with that id already exists. */
  send<T extends object>(queue: QueueName, data: T, options?: SendOptions): Promise<string | null>;
  /** Runs `handler` for each job, one at a time per call; a throw fails the job and pg-boss retries it. */
  work<T extends object>(queue: QueueName, handler: (job: Job<T>) => Promise<void>): Promise<void>;
  /** Makes idle workers look for jobs now instead of at their next poll. */
  wake(): void;
}

/**
 * pg-boss 10 on the program's database. On the embedded database it goes through the same `pg.Pool`
 * wrapper as everything else, which hands PGlite's single connection to one query at a time; pg-boss's
 * multi-statement commands (BEGIN; advisory lock; …; COMMIT) are one simple query each, so they never
 * hold the connection across awaits.
 *
 * Workers are our own loops over `fetch` / `complete` / `fail` rather than pg-boss's `work`: its
 * worker completes jobs without awaiting and can still be inside a fetch when `stop()` returns, so a
 * job could start after shutdown on a closing pool. Ours finish the job in hand and then stop.
 *
 * Turned off, on both engines: the cron scheduler (`schedule`; delays use `startAfter`) and state
 * monitoring (only emits counts). Maintenance (`supervise`: expiring jobs left "active" by a crashed
 * process so they are retried, archiving, deleting) stays on, every 2 minutes; it works on PGlite.
 */
export function createJobQueue(options: JobQueueOptions): JobQueue {
  const { log } = options;
  const pollingMs = Math.max(0.5, options.pollingIntervalSeconds ?? 2) * 1000;
  const queueOptions = {
    retryLimit: options.retryLimit ?? 8,
    retryDelay: options.retryDelaySeconds ?? 5,
    retryBackoff: options.retryBackoff ?? true,
    expireInSeconds: options.expireInSeconds ?? 60,
  };

  // After stop() nothing reaches the pool (the caller may close it right after).
  let closed = false;
  let db: PgBoss.Db | undefined;
  if (options.pool) {
    const pool = options.pool;
    db = {
      executeSql: (text: string, values: unknown[]) => (closed ? Promise.resolve({ rows: [] }) : pool.query(text, values)),
    };
  } else if (!options.connectionString) {
    throw new Error("createJobQueue: give a pool or a connectionString");
  }

  const boss = new PgBoss({
    ...(db ? { db } : { connectionString: options.connectionString!, max: 4 }),
    schema: "pgboss",
    migrate: true,
    supervise: true,
    maintenanceIntervalSeconds: 120,
    schedule: false,
  });
  boss.on("error", (error: Error) => {
    if (!closed) log.warn({ err: { message: error.message } }, "job queue: maintenance failed");
  });

  let started = false;
  let stopping = false;
  const loops: Promise<void>[] = [];
  const sleepers = new Set<() => void>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function loop<T extends object>(queue: QueueName, handler: (job: Job<T>) => Promise<void>): Promise<void> {
    while (!stopping) {
      let job: PgBoss.JobWithMetadata<T> | undefined;
      try {
        [job] = await boss.fetch<T>(queue, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        if (!stopping) log.warn({ err: { message: (error as Error).message }, queue }, "job queue: fetch failed");
      }
      if (!job) {
        if (!stopping) await sleep(pollingMs);
        continue;
      }
      try {
        await handler({ id: job.id, data: job.data, retryCount: job.retryCount, retryLimit: job.retryLimit });
        await boss.complete(queue, job.id);
      } catch (error) {
        // The handler already logged and recorded what it could; pg-boss schedules the retry.
        // pg-boss keeps this in pgboss.job: masked like every stored error (no tokens, no phone numbers).
        await boss.fail(queue, job.id, { message: maskError(error).slice(0, 200) }).catch((e: Error) =>
          log.warn({ err: { message: e.message }, queue }, "job queue: could not record a failure (the job expires and is retried)"),
        );
      }
    }
  }

  return {
    async start() {
      if (started) return;
      await boss.start();
      for (const name of [...Object.values(QUEUES), ...(options.queues ?? [])]) {
        // create_queue is idempotent (ON CONFLICT DO NOTHING).
        await boss.createQueue(name, { name, policy: "standard", ...queueOptions });
      }
      started = true;
    },

    async stop() {
      if (!started || stopping) return;
      stopping = true;
      for (const wake of [...sleepers]) wake();
      await Promise.all(loops);
      await boss.stop({ graceful: false, close: !db });
      closed = true;
    },

    async send(queue, data, sendOptions = {}) {
      return boss.send(queue, data, {
        ...queueOptions,
        ...(sendOptions.id ? { id: sendOptions.id } : {}),
        ...(sendOptions.singletonKey ? { singletonKey: sendOptions.singletonKey } : {}),
        ...(sendOptions.startAfter ? { startAfter: sendOptions.startAfter } : {}),
      });
    },

    async work<T extends object>(queue: QueueName, handler: (job: Job<T>) => Promise<void>) {
      if (!started || stopping) throw new Error("job queue: not running");
      loops.push(loop(queue, handler));
    },

    wake() {
      for (const w of [...sleepers]) w();
    },
  };
}

/** Short, and without what must not be stored: personal numbers, bot tokens, long secrets in URLs. */
export function maskError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const text = `${typeof e?.code === "string" ? `${e.code}: ` : ""}${typeof e?.message === "string" ? e.message : String(error)}`;
  return maskPersonalNumbers(
    text
      .replace(/bot\d+:[A-Za-z0-9_-]+/g, "bot***")
      .replace(/([?&](?:access_token|token|key|secret)=)[^&\s]+/gi, "$1***")
      .replace(/[A-Za-z0-9_-]{32,}/g, "***"),
  ).slice(0, 300);
}
