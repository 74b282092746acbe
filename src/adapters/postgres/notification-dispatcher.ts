import { createHash } from "node:crypto";
import type pg from "pg";
import type { Reply } from "../../core/dialogue/messages.ts";
import { DeferredError, UndeliverableError, type NotificationSender, type RatingRequests } from "../../core/ports.ts";
import type { Logger } from "../../logger.ts";
import { createJobQueue, maskError, QUEUES, type Job, type JobQueue, type JobQueueOptions } from "./job-queue.ts";
import { afterQuietHours, isQuiet, type QuietHours } from "../../core/ratings/quiet-hours.ts";
import { createTokenBucket, DEFAULT_RATE_PER_SECOND, FALLBACK_RATE_PER_SECOND, type TokenBucket } from "./token-bucket.ts";

/** What a notification is about, as handed to `compose`. */
export interface NotificationFacts {
  dossierCode: string;
  kind: "status" | "rating" | "reminder";
  status: number | null;
  channel: string;
  chatId: string;
}

/** Turns an outbox row into replies (core's `statusNotification`); null or [] = nothing to send. */
export type ComposeNotification = (row: NotificationFacts) => Promise<Reply[] | null>;

export interface NotificationsOptions {
  db: { pool: pg.Pool };
  log: Logger;
  /**
   * One sender per channel. Each channel has its own queue (`dossier-notify-<channel>`), and this process
   * pumps and works only its senders' channels: another process (the CLI chat, a channel worker) serves
   * the rest, and a row for a channel nobody serves waits in the outbox rather than being dropped.
   */
  senders: NotificationSender[];
  compose: ComposeNotification;
  /** What a closure's satisfaction request (and its reminder) says; without it, rating rows are abandoned. */
  ratingRequests?: RatingRequests;
  /** How long after the closing event the satisfaction request is made. Default 60 minutes. */
  ratingDelayMs?: number;
  /** How long after an unanswered request its one reminder goes out; 0 = no reminder. Default 48 hours. */
  reminderDelayMs?: number;
  /** Rating requests and reminders wait for the end of these hours (Vietnam time). Default 21:00–07:00. */
  quietHours?: QuietHours;
  /** Messages per second per channel (token bucket in this process); defaults in DEFAULT_RATE_PER_SECOND. */
  ratePerSecond?: Record<string, number>;
  /** How often the outbox is swept for rows nobody enqueued (another process, a crash). Default 5 s. */
  sweepIntervalMs?: number;
  /** Notification jobs handled at once by this process. Default 4. */
  concurrency?: number;
  /** False: only pump the outbox into the queue; another process works the jobs. Default true. */
  work?: boolean;
  /** A claim older than this belongs to a crashed worker and may be taken over. Default 120 s. */
  claimTimeoutSeconds?: number;
  /** pg-boss tuning (polling, retries); tests shorten these. */
  queue?: Omit<JobQueueOptions, "pool" | "connectionString" | "log">;
}

export interface Notifications {
  /** Pump the outbox now (call after an ingest wrote rows); never throws, runs are coalesced. */
  kick(): void;
  /** Pumps and delivers nothing more; waits for the jobs in hand. */
  stop(): Promise<void>;
  /** Resolves when the pump run in progress (or the next one, if kicked) has finished. For tests. */
  idle(): Promise<void>;
  /**
   * The citizen on `channel`/`chatId` wrote again: notifications held for them (Zalo window closed) go
   * back to the queue. Returns how many.
   */
  release(channel: string, chatId: string): Promise<number>;
}

interface OutboxRow {
  id: string;
  kind: "status" | "rating" | "reminder";
  event_id: string;
  dossier_code: string;
  channel: string;
  chat_id: string;
  status: number | null;
  created_at: Date;
  sent_at: Date | null;
  abandoned_at: Date | null;
  holds: number;
  not_before: Date | null;
}

interface JobData {
  id: string;
}

const PUMP_BATCH = 200;

/**
 * Delivers the `dossier_notifications` outbox through pg-boss.
 *
 * - The pump hands each unqueued row to the queue as one job whose id is derived from the row (a
 *   deterministic UUID: pg-boss inserts with ON CONFLICT DO NOTHING, so a row pumped twice — two
 *   processes, a crash before `enqueued_at` was written — still makes one job), then sets `enqueued_at`.
 *   It runs when kicked and every `sweepIntervalMs`. (pg-boss 10's `singletonKey` only deduplicates on
 *   "short"/"singleton" queues; we pass the row id as singletonKey for visibility, the id does the work.)
 * - A status job claims its row with one atomic UPDATE (unsent, and unclaimed or claimed by a worker
 *   dead for `claimTimeoutSeconds`), composes, waits for the channel's token bucket, sends, and sets
 *   `sent_at`. A failed send records a masked, short `last_error`, releases the claim and throws, so
 *   pg-boss retries with exponential backoff; the last failure abandons the row.
 * - A rating row (kind 'rating', due `ratingDelayMs` after the event) and its one reminder (kind
 *   'reminder', written when the request was sent, due `reminderDelayMs` later) go on the same queue,
 *   starting after the quiet hours; they are claimed the same way, composed by `RatingRequests` (null:
 *   nothing to send — invited before, rated already) and sent through the channel's sender. A job that
 *   still runs in the quiet hours (a retry) is put back until they end (`not_before`).
 * - A sender's DeferredError (Zalo window closed) holds the row until `release(channel, chatId)`.
 *
 * Exactly once, honestly: a row is never sent by two workers at once (the claim) and never after
 * `sent_at` is set. The remaining window is a crash (or a lost database connection) after the channel
 * accepted the message but before `sent_at` was written: the claim then expires and the row is sent
 * again — at least once in that case. Channels offer no idempotency key to close it (Telegram, Zalo).
 */
export async function startNotifications(options: NotificationsOptions): Promise<Notifications> {
  const { pool } = options.db;
  const { log } = options;
  const ratingDelayMs = options.ratingDelayMs ?? 60 * 60_000;
  const claimTimeoutSeconds = options.claimTimeoutSeconds ?? 120;
  const ratingRequests = options.ratingRequests ?? null;
  const reminderDelayMs = options.reminderDelayMs ?? 48 * 60 * 60_000;
  const quiet = options.quietHours ?? { start: 21, end: 7 };
  const senders = new Map(options.senders.map((s) => [s.channel, s]));
  const rates = { ...DEFAULT_RATE_PER_SECOND, ...options.ratePerSecond };
  const buckets = new Map<string, TokenBucket>();
  const bucket = (channel: string) => {
    let b = buckets.get(channel);
    if (!b) buckets.set(channel, (b = createTokenBucket(rates[channel] ?? FALLBACK_RATE_PER_SECOND)));
    return b;
  };
  const warnedChannels = new Set<string>();

  const served = [...senders.keys()];
  const notifyQueue = (channel: string) => `${QUEUES.dossierNotify}-${channel}`;
  const queue: JobQueue = createJobQueue({ pool, log, ...options.queue, queues: served.map(notifyQueue) });
  await queue.start();

  // --- pump -------------------------------------------------------------------------------------
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  async function pumpOnce(): Promise<number> {
    const { rows } = await pool.query<OutboxRow>(
      `select id, kind, event_id, dossier_code, channel, chat_id, status, created_at, sent_at, abandoned_at, holds, not_before
       from dossier_notifications
       where enqueued_at is null and sent_at is null and abandoned_at is null and held_at is null
         and channel = any($2::text[])
       order by id limit $1`,
      [PUMP_BATCH, served],
    );
    for (const row of rows) {
      // Rating requests wait for the delay after closure (reminders for theirs), then for the morning.
      const due = row.kind === "status" ? null : new Date(Math.max(row.kind === "rating" ? row.created_at.getTime() + ratingDelayMs : 0, row.not_before?.getTime() ?? 0));
      await queue.send<JobData>(notifyQueue(row.channel), { id: row.id }, {
        id: jobId(QUEUES.dossierNotify, row),
        singletonKey: row.id,
        ...(due ? { startAfter: afterQuietHours(due, quiet) } : {}),
      });
    }
    if (rows.length > 0) {
      await pool.query("update dossier_notifications set enqueued_at = now() where id = any($1::bigint[]) and enqueued_at is null", [
        rows.map((r) => r.id),
      ]);
      queue.wake();
    }
    return rows.length;
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          while (!stopped && (await pumpOnce()) === PUMP_BATCH);
        } catch (error) {
          if (!stopped) log.warn({ err: { message: maskError(error) } }, "notifications: pump failed; the next sweep retries");
        }
      } while (again && !stopped);
      running = null;
    })();
  }

  // --- workers ----------------------------------------------------------------------------------
  const load = async (id: string) =>
    (await pool.query<OutboxRow>(
      `select id, kind, event_id, dossier_code, channel, chat_id, status, created_at, sent_at, abandoned_at, holds, not_before
       from dossier_notifications where id = $1`,
      [id],
    )).rows[0];

  /** Atomic: at most one worker holds an unsent row at a time. Counts the attempt. */
  const claim = async (id: string) =>
    ((await pool.query(
      `update dossier_notifications set claimed_at = now(), attempts = attempts + 1
       where id = $1 and sent_at is null and abandoned_at is null
         and (claimed_at is null or claimed_at < now() - make_interval(secs => $2))
       returning id`,
      [id, claimTimeoutSeconds],
    )).rowCount ?? 0) === 1;

  const abandon = (id: string, reason: string) =>
    pool.query("update dossier_notifications set abandoned_at = now(), claimed_at = null, last_error = $2 where id = $1 and sent_at is null", [id, reason]);

  /** Until the citizen writes again (release): not a failure, no retry counted against it. */
  const hold = (id: string, reason: string) =>
    pool.query("update dossier_notifications set held_at = now(), claimed_at = null, enqueued_at = null, last_error = $2 where id = $1 and sent_at is null", [id, reason]);

  const release = (id: string, error: unknown, final: boolean) =>
    pool.query(
      `update dossier_notifications set claimed_at = null, last_error = $2,
         abandoned_at = case when $3::boolean then now() else abandoned_at end
       where id = $1 and sent_at is null`,
      [id, maskError(error), final],
    );

  /** After the channel accepted: retried briefly, since failing here is the one way to send twice. */
  async function markSent(id: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await pool.query("update dossier_notifications set sent_at = now(), claimed_at = null, last_error = null where id = $1", [id]);
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }

  async function handle(job: Job<JobData>, deliver: (row: OutboxRow) => Promise<"sent" | "postponed" | string>): Promise<void> {
    const row = await load(job.data.id);
    if (!row) {
      log.warn({ notification: job.data.id }, "notifications: job for a missing row; dropped");
      return;
    }
    if (row.sent_at || row.abandoned_at) return; // already done: never twice
    if (!(await claim(row.id))) {
      // Another worker holds it (or just finished): look again later; the claim decides.
      throw new Error("notify:claimed_elsewhere");
    }
    const final = job.retryCount >= job.retryLimit;
    let outcome: "sent" | "postponed" | string;
    try {
      outcome = await deliver(row);
    } catch (error) {
      if (error instanceof DeferredError) {
        await hold(row.id, error.code);
        log.info({ notification: row.id, channel: row.channel, reason: error.code }, "notifications: held until the recipient writes again");
        return;
      }
      if (error instanceof UndeliverableError) {
        await abandon(row.id, error.code);
        log.warn({ notification: row.id, channel: row.channel, reason: error.code }, "notifications: recipient unreachable; abandoned without retrying");
        return;
      }
      await release(row.id, error, final);
      log.warn(
        { notification: row.id, channel: row.channel, attempt: job.retryCount + 1, final, err: { message: maskError(error) } },
        final ? "notifications: giving up after the last retry" : "notifications: delivery failed; will retry",
      );
      throw error;
    }
    if (outcome === "sent") await markSent(row.id);
    else if (outcome !== "postponed") await abandon(row.id, outcome);
  }

  const deliverStatus = async (row: OutboxRow): Promise<"sent" | string> => {
    const replies = await options.compose({
      dossierCode: row.dossier_code,
      kind: row.kind,
      status: row.status,
      channel: row.channel,
      chatId: row.chat_id,
    });
    if (!replies || replies.length === 0) return "compose:nothing_to_send";
    await send(row, replies);
    return "sent";
  };

  /** Through the row's channel, at that channel's rate. */
  const send = async (row: OutboxRow, replies: Reply[]) => {
    await bucket(row.channel).take();
    await senders.get(row.channel)!.send(row.chat_id, replies, { dossierCode: row.dossier_code, kind: row.kind, status: row.status });
  };

  /** A job that started in the quiet hours (a retry, a late queue) goes back to wait for the morning. */
  const postpone = (id: string, until: Date) =>
    pool.query("update dossier_notifications set not_before = $2, enqueued_at = null, claimed_at = null, holds = holds + 1 where id = $1 and sent_at is null", [id, until]);

  const deliverRating = async (row: OutboxRow): Promise<"sent" | "postponed" | string> => {
    if (!ratingRequests) return "rating:not_configured";
    const now = new Date();
    if (isQuiet(now, quiet)) {
      await postpone(row.id, afterQuietHours(now, quiet));
      kick();
      return "postponed";
    }
    const reminder = row.kind === "reminder";
    const request = await ratingRequests.compose({ dossierCode: row.dossier_code, channel: row.channel, chatId: row.chat_id, reminder });
    if (!request) return reminder ? "rating:no_reminder_needed" : "rating:nothing_to_send";
    await send(row, request.replies);
    await ratingRequests.sent(request.token, reminder);
    if (!reminder && reminderDelayMs > 0) {
      // The one reminder: sent only if the dossier is still unrated by then (compose decides).
      await pool.query(
        `insert into dossier_notifications (kind, event_id, dossier_code, channel, chat_id, status, not_before)
         values ('reminder', $1, $2, $3, $4, $5, now() + make_interval(secs => $6::double precision / 1000))
         on conflict (kind, event_id, channel, chat_id) do nothing`,
        [row.event_id, row.dossier_code, row.channel, row.chat_id, row.status, reminderDelayMs],
      );
    }
    return "sent";
  };

  if (options.work ?? true) {
    const notify = async (job: Job<JobData>) => {
      // An unknown channel is checked before claiming: abandoned at once, logged once, never retried.
      const row = await load(job.data.id);
      if (row && !row.sent_at && !row.abandoned_at && !senders.has(row.channel)) {
        await abandon(row.id, "channel:unknown");
        if (!warnedChannels.has(row.channel)) {
          warnedChannels.add(row.channel);
          log.error({ channel: row.channel }, "notifications: no sender for this channel; its notifications are abandoned");
        }
        return;
      }
      await handle(job, (r) => (r.kind === "status" ? deliverStatus(r) : deliverRating(r)));
    };
    for (const channel of served) {
      for (let i = 0; i < Math.max(1, options.concurrency ?? 4); i++) await queue.work<JobData>(notifyQueue(channel), notify);
    }
  }

  const sweep = setInterval(kick, options.sweepIntervalMs ?? 5_000);
  sweep.unref();
  kick();

  return {
    kick,
    async idle() {
      while (running) await running;
    },
    async release(channel, chatId) {
      const r = await pool.query({
        name: "notifications-release-held",
        text: `update dossier_notifications set held_at = null, holds = holds + 1
               where channel = $1 and chat_id = $2 and held_at is not null and sent_at is null and abandoned_at is null`,
        values: [channel, chatId],
      });
      const n = r.rowCount ?? 0;
      if (n > 0) kick();
      return n;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(sweep);
      while (running) await running;
      await queue.stop();
    },
  };
}

/** A UUID fixed by the row's identity (not only its id, which a reset sequence could reuse). */
function jobId(queue: string, row: OutboxRow): string {
  const h = createHash("sha256").update(`${queue}\u0000${row.id}\u0000${row.kind}\u0000${row.event_id}\u0000${row.channel}\u0000${row.chat_id}${row.holds > 0 ? `\u0000${row.holds}` : ""}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Short, and without what must not be stored (defined beside the queue, which stores failures too). */
export { maskError };
