import { afterEach, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import { randomUUID } from "node:crypto";
import { createJobQueue, QUEUES } from "../../../src/adapters/postgres/job-queue.ts";

const WEB_QUEUE = `${QUEUES.dossierNotify}-telegram`; // the fake sender's channel
import {
  maskError,
  startNotifications,
  type NotificationFacts,
  type Notifications,
  type NotificationsOptions,
} from "../../../src/adapters/postgres/notification-dispatcher.ts";
import { createTokenBucket } from "../../../src/adapters/postgres/token-bucket.ts";
import type { Reply } from "../../../src/core/dialogue/messages.ts";
import { UndeliverableError, type NotificationSender, type RatingRequests } from "../../../src/core/ports.ts";
import { afterQuietHours } from "../../../src/core/ratings/quiet-hours.ts";
import { engines, freshDatabase } from "../../support/databases.ts";

const log = pino({ level: "silent" });
/** Fast pg-boss for tests: polls twice a second, retries at once. */
const FAST_QUEUE = { pollingIntervalSeconds: 0.5, retryDelaySeconds: 0, retryBackoff: false, retryLimit: 8 };

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records what it is asked to send; fails the first `failures` calls; takes `delayMs` per send. */
function fakeSender(channel = "telegram", { failures = 0, delayMs = 0 } = {}) {
  const calls: { chatId: string; replies: Reply[] }[] = [];
  const delivered: { chatId: string; replies: Reply[] }[] = [];
  const sender: NotificationSender = {
    channel,
    async send(chatId, replies) {
      calls.push({ chatId, replies });
      if (delayMs) await pause(delayMs);
      if (calls.length <= failures) throw Object.assign(new Error("Bad Gateway calling bot123456:AAH-secret-token, user 0912345678"), { code: "telegram:http_502" });
      delivered.push({ chatId, replies });
    },
  };
  return { sender, calls, delivered };
}

const compose = async (row: NotificationFacts): Promise<Reply[]> => [{ text: `Hồ sơ ${row.dossierCode}: trạng thái ${row.status}` }];

describe.each(engines)("durable notifications through pg-boss (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  const running: Notifications[] = [];

  beforeEach(async () => {
    ctx = await freshDatabase(engine);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((n) => n.stop()));
    await ctx.dispose();
  });

  async function start(options: Partial<NotificationsOptions> & Pick<NotificationsOptions, "senders">): Promise<Notifications> {
    const n = await startNotifications({ db: ctx.db, log, compose, ratingDelayMs: 0, sweepIntervalMs: 300, queue: FAST_QUEUE, ...options });
    running.push(n);
    return n;
  }

  let eventNo = 0;
  async function outbox(row: { kind?: "status" | "rating" | "reminder"; channel?: string; chatId?: string; dossier?: string; status?: number } = {}): Promise<string> {
    const { rows } = await ctx.db.pool.query<{ id: string }>(
      `insert into dossier_notifications (kind, event_id, dossier_code, channel, chat_id, status)
       values ($1, $2, $3, $4, $5, $6) returning id`,
      [row.kind ?? "status", `ev-${++eventNo}`, row.dossier ?? "000.00.12.H29-250312-0042", row.channel ?? "telegram", row.chatId ?? "4242", row.status ?? 4],
    );
    return rows[0]!.id;
  }

  const state = async (id: string) =>
    (await ctx.db.pool.query("select enqueued_at, sent_at, abandoned_at, claimed_at, attempts, last_error from dossier_notifications where id = $1", [id])).rows[0];
  const sent = (id: string) => async () => (await state(id)).sent_at !== null;
  const jobsFor = async (queue: string) => Number((await ctx.db.pool.query("select count(*) as n from pgboss.job where name = $1", [queue])).rows[0].n);

  it("delivers a status notification exactly once to the sender of its channel", async () => {
    const id = await outbox({ status: 4, chatId: "chat-7" });
    const fake = fakeSender("telegram");
    const composed: NotificationFacts[] = [];
    const n = await start({ senders: [fake.sender], compose: async (row) => (composed.push(row), compose(row)) });
    n.kick();
    await waitFor(sent(id), "the notification to be sent");
    await pause(1200); // more polls and sweeps: nothing more is sent
    expect(fake.calls).toEqual([{ chatId: "chat-7", replies: [{ text: "Hồ sơ 000.00.12.H29-250312-0042: trạng thái 4" }] }]);
    expect(composed).toEqual([{ dossierCode: "000.00.12.H29-250312-0042", kind: "status", status: 4, channel: "telegram", chatId: "chat-7" }]);
    const row = await state(id);
    expect(row).toMatchObject({ attempts: 1, last_error: null, abandoned_at: null, claimed_at: null });
    expect(row.enqueued_at).not.toBeNull();
    expect(await jobsFor(WEB_QUEUE)).toBe(1);
  });

  it("retries a sender that fails twice, then delivers once, keeping no secret in the recorded error", async () => {
    const id = await outbox();
    const fake = fakeSender("telegram", { failures: 2 });
    const n = await start({ senders: [fake.sender] });
    n.kick();
    await waitFor(sent(id), "the notification to be sent after retries");
    expect(fake.calls).toHaveLength(3);
    expect(fake.delivered).toHaveLength(1);
    const row = await state(id);
    expect(row).toMatchObject({ attempts: 3, last_error: null, abandoned_at: null });
    const recorded = (await ctx.db.pool.query("select output from pgboss.job where name = $1", [WEB_QUEUE])).rows[0].output;
    expect(JSON.stringify(recorded)).not.toMatch(/AAH-secret|0912345678/);
  });

  it("records a masked error and abandons the row once the retries are spent", async () => {
    const id = await outbox();
    const fake = fakeSender("telegram", { failures: 100 });
    const n = await start({ senders: [fake.sender], queue: { ...FAST_QUEUE, retryLimit: 1 } });
    n.kick();
    await waitFor(async () => (await state(id)).abandoned_at !== null, "the row to be abandoned");
    expect(fake.calls).toHaveLength(2);
    const row = await state(id);
    expect(row.sent_at).toBeNull();
    expect(row.attempts).toBe(2);
    expect(row.last_error).toContain("telegram:http_502");
    expect(row.last_error).not.toMatch(/AAH-secret|0912345678/);
  });

  it("abandons at once, without retrying, a notification to a chat that blocked the bot", async () => {
    const id = await outbox();
    const calls: string[] = [];
    const blocked: NotificationSender = {
      channel: "telegram",
      async send(chatId) {
        calls.push(chatId);
        throw new UndeliverableError("telegram:403", "Forbidden: bot was blocked by the user");
      },
    };
    const n = await start({ senders: [blocked] });
    n.kick();
    await waitFor(async () => (await state(id)).abandoned_at !== null, "the row to be abandoned");
    await pause(1200); // retries would have come by now (retryDelaySeconds 0, polling every 0.5 s)
    expect(calls).toHaveLength(1);
    expect(await state(id)).toMatchObject({ sent_at: null, attempts: 1, last_error: "telegram:403" });
  });

  it("delivers a row enqueued before a restart exactly once, and never resends a row already sent", async () => {
    const id = await outbox();
    // First process: pumps the row into the queue, then stops before any worker touches it.
    const pumpOnly = await start({ senders: [fakeSender().sender], work: false });
    pumpOnly.kick();
    await waitFor(async () => (await state(id)).enqueued_at !== null, "the row to be enqueued");
    await pumpOnly.stop();
    expect(await jobsFor(WEB_QUEUE)).toBe(1);

    // Pretend the first process crashed before it could record enqueued_at: the next one pumps again.
    await ctx.db.pool.query("update dossier_notifications set enqueued_at = null where id = $1", [id]);
    const fake = fakeSender();
    const second = await start({ senders: [fake.sender] });
    second.kick();
    await waitFor(sent(id), "the notification to be sent after the restart");
    expect(await jobsFor(WEB_QUEUE)).toBe(1); // same job id: the second pump made no new job
    await second.stop();

    // A third process, and a stray job for the same row: the row is already sent, nothing goes out.
    const third = await start({ senders: [fake.sender] });
    const queue = createJobQueue({ pool: ctx.db.pool, log });
    await queue.start();
    await queue.send(WEB_QUEUE, { id }, { id: randomUUID() });
    await queue.stop();
    third.kick();
    await waitFor(
      async () => Number((await ctx.db.pool.query("select count(*) as n from pgboss.job where name = $1 and state = 'completed'", [WEB_QUEUE])).rows[0].n) === 2,
      "the stray job to be handled",
    );
    expect(fake.calls).toHaveLength(1);
    expect((await state(id)).attempts).toBe(1);
  });

  it("never lets two workers send the same row, even when it was queued twice", async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => outbox({ chatId: `chat-${i}` })));
    const fake = fakeSender("telegram", { delayMs: 150 });
    const a = await start({ senders: [fake.sender], concurrency: 3 });
    const b = await start({ senders: [fake.sender], concurrency: 3 });
    // A second job for every row, under another id: both workers may pick up the same row at once.
    const queue = createJobQueue({ pool: ctx.db.pool, log });
    await queue.start();
    for (const id of ids) await queue.send(WEB_QUEUE, { id }, { id: randomUUID() });
    await queue.stop();
    a.kick();
    b.kick();
    await waitFor(async () => (await Promise.all(ids.map((id) => sent(id)()))).every(Boolean), "every row to be sent", 30_000);
    await pause(1000);
    expect(fake.calls.map((c) => c.chatId).sort()).toEqual(ids.map((_, i) => `chat-${i}`).sort());
  });

  /** Rating requests that record what they were asked; `rated` dossiers have nothing to send. */
  function fakeRatingRequests(rated: string[] = []) {
    const composed: { dossierCode: string; chatId: string; reminder: boolean }[] = [];
    const sentTokens: string[] = [];
    const requests: RatingRequests = {
      async compose({ dossierCode, chatId, reminder }) {
        composed.push({ dossierCode, chatId, reminder });
        if (rated.includes(dossierCode)) return null;
        return { replies: [{ text: `${reminder ? "Nhắc: " : ""}Mời đánh giá hồ sơ ${dossierCode}` }], token: `token-${chatId}` };
      },
      async sent(token, reminder) {
        sentTokens.push(`${token}${reminder ? ":reminder" : ""}`);
      },
    };
    return { requests, composed, sentTokens };
  }
  const NO_QUIET = { start: 0, end: 0 };

  it("sends a closing row's rating request on the citizen's channel, then exactly one reminder", async () => {
    const id = await outbox({ kind: "rating", chatId: "chat-1", status: 10 });
    const fake = fakeSender();
    const ratings = fakeRatingRequests();
    const n = await start({ senders: [fake.sender], ratingRequests: ratings.requests, reminderDelayMs: 200, quietHours: NO_QUIET });
    n.kick();
    await waitFor(sent(id), "the rating request to be sent");
    await waitFor(async () => fake.delivered.length === 2, "the reminder to be sent");
    await pause(1200);
    expect(fake.delivered.map((d) => d.replies[0]!.text)).toEqual([
      "Mời đánh giá hồ sơ 000.00.12.H29-250312-0042",
      "Nhắc: Mời đánh giá hồ sơ 000.00.12.H29-250312-0042",
    ]);
    expect(ratings.sentTokens).toEqual(["token-chat-1", "token-chat-1:reminder"]);
    const kinds = (await ctx.db.pool.query("select kind, sent_at is not null as sent from dossier_notifications order by id")).rows;
    expect(kinds).toEqual([{ kind: "rating", sent: true }, { kind: "reminder", sent: true }]);
  });

  it("sends nothing for a dossier already rated, and abandons the row with the reason", async () => {
    const id = await outbox({ kind: "rating", status: 10 });
    const fake = fakeSender();
    const n = await start({ senders: [fake.sender], ratingRequests: fakeRatingRequests(["000.00.12.H29-250312-0042"]).requests, quietHours: NO_QUIET });
    n.kick();
    await waitFor(async () => (await state(id)).abandoned_at !== null, "the row to be abandoned");
    expect(fake.calls).toEqual([]);
    expect((await state(id)).last_error).toBe("rating:nothing_to_send");
  });

  it("holds a rating request back for the configured delay", async () => {
    const id = await outbox({ kind: "rating" });
    const fake = fakeSender();
    const n = await start({ senders: [fake.sender], ratingRequests: fakeRatingRequests().requests, ratingDelayMs: 60 * 60_000, quietHours: NO_QUIET });
    n.kick();
    await waitFor(async () => (await state(id)).enqueued_at !== null, "the rating row to be enqueued");
    await pause(800);
    const job = (await ctx.db.pool.query("select start_after > now() + interval '59 minutes' as later from pgboss.job where name = $1", [WEB_QUEUE])).rows[0];
    expect(job.later).toBe(true);
    expect(fake.calls).toEqual([]);
  });

  it("in the quiet hours, a rating request waits for their end", async () => {
    // Quiet hours around the present moment, whatever time the test runs.
    const hour = (new Date().getUTCHours() + 7) % 24;
    const quietHours = { start: hour, end: (hour + 2) % 24 };
    const id = await outbox({ kind: "rating" });
    const fake = fakeSender();
    const n = await start({ senders: [fake.sender], ratingRequests: fakeRatingRequests().requests, quietHours });
    n.kick();
    await waitFor(async () => (await state(id)).enqueued_at !== null, "the rating row to be enqueued");
    await pause(800);
    const { start_after } = (await ctx.db.pool.query<{ start_after: Date }>("select start_after from pgboss.job where name = $1", [WEB_QUEUE])).rows[0]!;
    expect(start_after.toISOString()).toBe(afterQuietHours(new Date(), quietHours).toISOString());
    expect((new Date(start_after.getTime() + 7 * 3_600_000).getUTCHours())).toBe(quietHours.end);
    expect(fake.calls).toEqual([]);
  });

  it("a rating job that still runs in the quiet hours (a retry, a late queue) is put back until they end", async () => {
    const hour = (new Date().getUTCHours() + 7) % 24;
    const quietHours = { start: hour, end: (hour + 2) % 24 };
    const id = await outbox({ kind: "rating" });
    // Queued earlier (enqueued_at set), its job due now: as a retry would be.
    await ctx.db.pool.query("update dossier_notifications set enqueued_at = now() where id = $1", [id]);
    const fake = fakeSender();
    await start({ senders: [fake.sender], ratingRequests: fakeRatingRequests().requests, quietHours });
    const queue = createJobQueue({ pool: ctx.db.pool, log });
    await queue.start();
    await queue.send(WEB_QUEUE, { id }, { id: randomUUID() });
    await queue.stop();
    await waitFor(async () => (await ctx.db.pool.query("select holds from dossier_notifications where id = $1", [id])).rows[0].holds === 1, "the row to be put back");
    const row = (await ctx.db.pool.query<{ not_before: Date; abandoned_at: Date | null; sent_at: Date | null }>("select not_before, abandoned_at, sent_at from dossier_notifications where id = $1", [id])).rows[0]!;
    expect(row.not_before.toISOString()).toBe(afterQuietHours(new Date(), quietHours).toISOString());
    expect(row).toMatchObject({ abandoned_at: null, sent_at: null });
    await pause(800);
    expect(fake.calls).toEqual([]);
  });

  it("leaves a row for a channel this process does not serve to the process that does", async () => {
    const id = await outbox({ channel: "fax" });
    const here = await start({ senders: [fakeSender().sender] });
    here.kick();
    await here.idle();
    expect(await state(id)).toMatchObject({ enqueued_at: null, abandoned_at: null, sent_at: null });
    const fax = fakeSender("fax");
    await start({ senders: [fax.sender] });
    await waitFor(sent(id), "the fax process to deliver the row");
    expect(fax.calls).toHaveLength(1);
  });

  it("finds rows another process wrote, without being kicked", async () => {
    const fake = fakeSender();
    await start({ senders: [fake.sender] });
    const id = await outbox();
    await waitFor(sent(id), "the sweep to deliver the row");
    expect(fake.calls).toHaveLength(1);
  });
});

describe("the send rate of a channel", () => {
  it("lets a second's worth through at once and spaces the rest", async () => {
    const bucket = createTokenBucket(20);
    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => bucket.take()));
    expect(Date.now() - started).toBeLessThan(100);
    await Promise.all(Array.from({ length: 10 }, () => bucket.take()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe("errors kept on a notification row", () => {
  it("are short and carry no phone number, bot token or long secret", () => {
    const masked = maskError(Object.assign(new Error(`POST https://api.telegram.org/bot123456:AAHsecret/sendMessage failed for 0912345678 ${"x".repeat(1000)}`), { code: "telegram:http" }));
    expect(masked.length).toBeLessThanOrEqual(300);
    expect(masked).toContain("telegram:http");
    expect(masked).not.toMatch(/AAHsecret|0912345678|x{40}/);
  });
});
