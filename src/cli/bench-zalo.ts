import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";
import { loadConfig, type ZaloConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { createHttpServer } from "../server/app.ts";
import { DEMO_TRY } from "./demo-dossiers.ts";
import { benchArgs, prepareBenchAssistant, readQuestions } from "./bench-support.ts";
import { setUpZalo, type ZaloSetup } from "./zalo-setup.ts";
import { startNotifications, type Notifications } from "../adapters/postgres/notification-dispatcher.ts";
import { openScratchDatabase } from "./context.ts";
import { FAKE_ZALO } from "../../test/fakes/fake-zalo-server.ts";
import type { ReportRequest, ReportResult, RunRequest, RunResult } from "./bench-zalo-driver.ts";

/**
 * `npm run bench:zalo -- [--sessions N] [--concurrency N] [--workers N] [--server] [--catalogue <dir>]`:
 * the Zalo OA webhook driven over loopback HTTP, with a fake Zalo Open API answering instantly. The load
 * and the fake run in a child process (bench-zalo-driver.ts), so the measured process does only the
 * channel's work: verify the signature, store the event (channel_inbox), answer 200, then — in the
 * background, `--workers` citizens at once (default as ZALO_WORKERS: 2 embedded, 4 server) — compose the answer and send it as CS messages.
 *
 * Each session is one citizen (a 19-digit Zalo user id), its events posted in order, each once the
 * previous one got its HTTP 200 (Zalo does not wait for answers): follow, a question
 * (../shared/eval/dev.jsonl, cycled), a tap on a section button (`#s:<code>:documents` as text, as Zalo
 * delivers it), a follow-up ("thế lệ phí bao nhiêu"), a dossier code, the phone digits; every fifth
 * session also sends an image, every tenth has its question re-delivered with the same msg_id (a
 * duplicate: answered 200, stored and answered once). Bodies are signed (X-ZEvent-Signature) over the
 * exact bytes posted. `--concurrency` sessions run at once (default 16); 100 warm-up sessions go first,
 * are handled completely and are not measured.
 *
 * Measured: time-to-200 per event = just before the request until its response body is read (the
 * store, not the answer); per_s = events acknowledged ÷ the driver's wall time for them. Then the
 * background work: handled_per_s = the same events ÷ the time from the measured run's start until every
 * stored event has been handled (queue idle, no channel_inbox row unprocessed). Checked: no apology
 * (templates.unavailable) among the CS messages, one inbox row per distinct event, each handled once
 * without error, each duplicate acknowledged as such; any failure sets exit code 1.
 * Default: the embedded database with the default catalogue and the demo dossiers (what `npm start`
 * runs); `--server` uses a scratch database on DATABASE_URL; `--catalogue` also imports the national
 * records. Targets (printed, not enforced): p99 time-to-200 ≤ 50 ms, ≥ 300 events/s.
 * Last line: {"per_s": …, "p95_ms": …, "p99_ms": …, "p50_ms": …, "handled_per_s": …, "events": …,
 * "duplicates": …, "database": …, "procedures": …}.
 */
const { opt, flag } = benchArgs();
const SESSIONS = Number(opt("--sessions", "800"));
const CONCURRENCY = Number(opt("--concurrency", "16"));
const onServer = flag("--server");
// As the settings default it (ZALO_WORKERS): 2 on the embedded database, 4 on a server.
const WORKERS = Number(opt("--workers", onServer ? "4" : "2"));
const WARMUP_SESSIONS = 100;
const catalogueDir = flag("--catalogue") ? opt("--catalogue", "") : null;
const OA_SECRET_KEY = "bench-oa-secret-key-0123456789abcdef";
const WEBHOOK_PATH = "/webhooks/zalo";
const TARGET = { p99Ms: 50, perS: 300 };
/** How long the background work may take to drain after the load stops. */
const SETTLE_TIMEOUT_MS = 120_000;

const config = loadConfig();
const log = createLogger("error", process.stderr as never);
const questions = await readQuestions(opt("--questions", "../shared/eval/dev.jsonl"));

const { db, dispose } = await openScratchDatabase(config, { server: onServer, name: "tthc_bench_zalo", max: 8 });

let driver: ChildProcess | undefined;
let zalo: ZaloSetup | undefined;
let server: FastifyInstance | undefined;
let notifications: Notifications | undefined;
try {
  // The fake Zalo and the load run in a child process: this process does only what the channel does.
  const child = fork(fileURLToPath(new URL("./bench-zalo-driver.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  driver = child;
  /** One question to the driver, one answer back (the exchanges never overlap). */
  const ask = <T>(message: RunRequest | ReportRequest | null): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const cleanup = () => {
        child.off("message", onMessage);
        child.off("exit", onExit);
        child.off("error", reject);
      };
      const onMessage = (m: { type: string; message?: string }) => {
        cleanup();
        if (m.type === "error") reject(new Error(`load driver: ${m.message}`));
        else resolve(m as T);
      };
      const onExit = (code: number | null) => (cleanup(), reject(new Error(`the load driver exited (${code})`)));
      child.on("message", onMessage);
      child.once("exit", onExit);
      child.once("error", reject);
      if (message) child.send(message);
    });
  const { fakeUrl } = await ask<{ type: "ready"; fakeUrl: string }>(null);

  const { assistant, templates, composeNotification, ratings, catalogue, procedures, size } = await prepareBenchAssistant(db, config, log, catalogueDir);

  const zaloConfig: ZaloConfig = {
    appId: FAKE_ZALO.appId,
    appSecret: FAKE_ZALO.appSecret,
    oaId: FAKE_ZALO.oaId,
    oaSecretKey: OA_SECRET_KEY,
    webhookPath: WEBHOOK_PATH,
    signatureVariants: null,
    initialTokens: { accessToken: FAKE_ZALO.initialAccess, refreshToken: FAKE_ZALO.initialRefresh },
    outsideWindow: "hold",
    templates: { status: null, rating: null },
    endpoints: { openApi: fakeUrl, oauth: fakeUrl, business: fakeUrl },
    workers: WORKERS,
  };
  // Wired as main.ts wires it: each citizen's message releases notifications held for them.
  let release: (userId: string) => Promise<void> = async () => undefined;
  zalo = await setUpZalo({ config: zaloConfig, assistant, templates, ratings, db, log, onActive: (userId) => release(userId) });
  notifications = await startNotifications({ db, log, senders: [zalo.channel.sender], compose: composeNotification });
  const n = notifications;
  release = async (userId) => void (await n.release("zalo", userId));
  const channel = zalo.channel;
  server = createHttpServer({
    catalogue,
    health: { database: { kind: db.kind, vectorSearch: false } },
    logger: log,
    rawWebhooks: [zalo.webhook],
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  zalo.start();
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}${WEBHOOK_PATH}`;

  const unprocessed = async () => Number((await db.pool.query<{ n: string }>("select count(*) as n from channel_inbox where processed_at is null")).rows[0]!.n);
  /** Until every stored event has been handled: the queue is idle and no inbox row waits. */
  const settle = async () => {
    const deadline = performance.now() + SETTLE_TIMEOUT_MS;
    for (;;) {
      await channel.idle();
      if ((await unprocessed()) === 0) return;
      if (performance.now() > deadline) throw new Error(`${await unprocessed()} events still unhandled after ${SETTLE_TIMEOUT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const base = {
    type: "run",
    webhookUrl: url,
    signId: FAKE_ZALO.appId,
    signKey: OA_SECRET_KEY,
    questions,
    procedureCodes: procedures.map((p) => p.code),
    demo: DEMO_TRY.map((d) => ({ code: d.code, digits: d.digits })),
    concurrency: CONCURRENCY,
  } as const;
  // Warm-up: sessions numbered after the measured ones (other citizens), handled completely, not measured.
  await ask<RunResult>({ ...base, first: SESSIONS, count: WARMUP_SESSIONS, reset: false });
  await settle();

  const lastIdBefore = Number((await db.pool.query<{ id: string }>("select coalesce(max(id), 0) as id from channel_inbox")).rows[0]!.id);
  const t0 = performance.now();
  const run = await ask<RunResult>({ ...base, first: 0, count: SESSIONS, reset: true });
  const ackedMs = performance.now() - t0;
  await settle();
  const handledMs = performance.now() - t0;
  const report = await ask<ReportResult>({ type: "report", failureTexts: [templates.unavailable], textOnly: templates.textOnly });
  const inbox = (
    await db.pool.query<{ rows: string; retried: string; errors: string }>(
      "select count(*) as rows, count(*) filter (where attempts <> 1) as retried, count(*) filter (where last_error is not null) as errors from channel_inbox where id > $1",
      [lastIdBefore],
    )
  ).rows[0]!;
  const stored = { rows: Number(inbox.rows), retried: Number(inbox.retried), errors: Number(inbox.errors) };

  const times = run.times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]! * 10) / 10;
  const round1 = (x: number) => Math.round(x * 10) / 10;
  const perS = round1((run.events / run.totalMs) * 1000);
  const handledPerS = round1((run.events / handledMs) * 1000);
  const distinct = run.events - run.duplicates;

  const problems: string[] = [];
  if (report.failures > 0) problems.push(`${report.failures} apologies sent`);
  if (stored.rows !== distinct) problems.push(`${stored.rows} inbox rows for ${distinct} distinct events`);
  if (stored.retried > 0) problems.push(`${stored.retried} events handled more than once (or never)`);
  if (stored.errors > 0) problems.push(`${stored.errors} events recorded as failed`);
  if (run.answers.duplicate !== run.duplicates || run.answers.ok !== distinct || run.answers.other > 0) {
    problems.push(`webhook answers ok ${run.answers.ok}, duplicate ${run.answers.duplicate}, other ${run.answers.other} (expected ${distinct}, ${run.duplicates}, 0)`);
  }
  if (report.textOnlyNotices !== report.images) problems.push(`${report.textOnlyNotices} text-only notices for ${report.images} images`);
  if (report.shortChanged > 0) problems.push(`${report.shortChanged} citizens got fewer messages than events they sent`);
  if (report.refusedCalls > 0) problems.push(`${report.refusedCalls} calls refused by the fake Zalo`);

  const mark = (ok: boolean) => (ok ? "met" : "NOT met");
  console.log(
    `${run.events} events (${SESSIONS} sessions, ${run.duplicates} re-delivered, ${report.images} images) over ${size.procedures} procedures, ${db.kind} database, ${CONCURRENCY} sessions at a time, ${WORKERS} workers:`,
  );
  console.log(
    `  acknowledged: ${perS} events/s (target ≥ ${TARGET.perS}: ${mark(perS >= TARGET.perS)}), time-to-200 p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms (target ≤ ${TARGET.p99Ms}: ${mark(pct(99) <= TARGET.p99Ms)}), max ${pct(100)} ms`,
  );
  console.log(
    `  handled: ${handledPerS} events/s (all answered ${round1(handledMs / 1000)} s after the start; the load took ${round1(ackedMs / 1000)} s)`,
  );
  console.log(
    `  Zalo API: ${report.messagesSent} CS messages sent, ${report.textOnlyNotices} text-only notices; ${report.failures} apologies; inbox: ${stored.rows} rows, ${stored.retried} retried, ${stored.errors} failed`,
  );
  if (problems.length > 0) {
    console.log(`  PROBLEMS: ${problems.join("; ")}`);
    process.exitCode = 1;
  }
  console.log(
    JSON.stringify({
      per_s: perS,
      p95_ms: pct(95),
      p99_ms: pct(99),
      p50_ms: pct(50),
      handled_per_s: handledPerS,
      events: run.events,
      duplicates: run.duplicates,
      database: db.kind,
      procedures: size.procedures,
    }),
  );
} finally {
  await server?.close().catch(() => undefined);
  await zalo?.stop().catch(() => undefined);
  await notifications?.stop().catch(() => undefined);
  if (driver?.connected) driver.disconnect();
  await dispose();
}
