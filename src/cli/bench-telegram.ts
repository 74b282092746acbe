import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { createHttpServer } from "../server/app.ts";
import { DEMO_TRY } from "./demo-dossiers.ts";
import { benchArgs, prepareBenchAssistant, readQuestions } from "./bench-support.ts";
import { setUpTelegram } from "./telegram-setup.ts";
import { openScratchDatabase } from "./context.ts";
import { FAKE_BOT_INFO, FAKE_TOKEN } from "../../test/fakes/fake-telegram-server.ts";
import type { RunRequest, RunResult } from "./bench-telegram-driver.ts";

/**
 * `npm run bench:telegram -- [--sessions N] [--concurrency N] [--server] [--catalogue <dir>]`: the
 * Telegram webhook driven over loopback HTTP, with a fake Bot API answering instantly. The load and the
 * fake run in a child process (bench-telegram-driver.ts), so the measured process does only the bot's work.
 *
 * Each session is one citizen's chat, its updates posted in order (the next after the previous was
 * answered, as Telegram does per chat): /start, a question (../shared/eval/dev.jsonl, cycled), a tap on
 * a section button, a follow-up ("thế lệ phí bao nhiêu?"), a dossier code, the phone digits; every tenth
 * session also has its question re-delivered (a duplicate). `--concurrency` sessions run at once (Telegram
 * opens up to 40 webhook connections). Time per update = the webhook request until its 200, which grammY
 * sends after the update was handled and its replies sent. Default: the embedded database with the
 * default catalogue and the demo dossiers (what `npm start` runs); `--server` uses a scratch database on
 * DATABASE_URL; `--catalogue` also imports the national records.
 * Last line: {"per_s": …, "p95_ms": …, "p50_ms": …, "p99_ms": …, "updates": …, "database": …}.
 */
const { opt, flag } = benchArgs();
const SESSIONS = Number(opt("--sessions", "800"));
const CONCURRENCY = Number(opt("--concurrency", "16"));
const catalogueDir = flag("--catalogue") ? opt("--catalogue", "") : null;
const onServer = flag("--server");
const SECRET = "bench-webhook-secret-0123456789abcdefghij";

const config = loadConfig();
const log = createLogger("error", process.stderr as never);
const questions = await readQuestions(opt("--questions", "../shared/eval/dev.jsonl"));

const { db, dispose } = await openScratchDatabase(config, { server: onServer, name: "tthc_bench_tg", max: 8 });

// The fake Bot API and the load run in a child process: this process does only what the bot does.
const driver = fork(fileURLToPath(new URL("./bench-telegram-driver.ts", import.meta.url)), [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
const fakeUrl = await new Promise<string>((resolve, reject) => {
  driver.once("message", (m: { type: string; fakeUrl: string }) => resolve(m.fakeUrl));
  driver.once("error", reject);
});
try {
  const { assistant, templates, catalogue, procedures, size } = await prepareBenchAssistant(db, config, log, catalogueDir);

  const telegram = await setUpTelegram({
    config: {
      token: FAKE_TOKEN,
      mode: { kind: "webhook", url: "https://bench.invalid/telegram/webhook", path: "/telegram/webhook", secret: SECRET },
      apiRoot: fakeUrl,
      groups: "addressed",
      flood: { limit: 10, windowMs: 10_000 },
    },
    assistant,
    templates,
    db,
    log,
    botInfo: FAKE_BOT_INFO,
  });
  const server = createHttpServer({
    catalogue,
    health: { database: { kind: db.kind, vectorSearch: false } },
    logger: log,
    webhooks: [telegram.webhook!],
  });
  await server.listen({ host: "127.0.0.1", port: 0 });
  const address = server.server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/telegram/webhook`;

  const request: RunRequest = {
    type: "run",
    webhookUrl: url,
    secret: SECRET,
    questions,
    procedureCodes: procedures.map((p) => p.code),
    demo: DEMO_TRY.map((d) => ({ code: d.code, digits: d.digits })),
    sessions: SESSIONS,
    concurrency: CONCURRENCY,
    warmupSessions: 100,
    failureTexts: [templates.unavailable, templates.tooFast],
  };
  driver.send(request);
  const run = await new Promise<RunResult>((resolve, reject) => {
    driver.on("message", (m: RunResult | { type: "error"; message: string }) => (m.type === "done" ? resolve(m) : reject(new Error(m.message))));
    driver.on("exit", (code) => reject(new Error(`the load driver exited (${code})`)));
  });
  await server.close();

  const times = run.times.sort((a, b) => a - b);
  const pct = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]! * 10) / 10;
  const perS = Math.round((run.updates / run.totalMs) * 1000 * 10) / 10;
  console.log(
    `${run.updates} updates (${SESSIONS} sessions, ${run.duplicates} re-delivered) over ${size.procedures} procedures, ${db.kind} database, ${CONCURRENCY} sessions at a time:`,
  );
  console.log(`  ${perS} updates/s, p50 ${pct(50)} ms, p95 ${pct(95)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms`);
  console.log(`  Bot API calls: ${run.messagesSent} messages sent, ${run.callbackAnswers} button answers; ${run.failures} apologies or flood notices`);
  if (run.failures > 0) process.exitCode = 1;
  console.log(JSON.stringify({ per_s: perS, p95_ms: pct(95), p50_ms: pct(50), p99_ms: pct(99), updates: run.updates, database: db.kind, procedures: size.procedures }));
} finally {
  driver.disconnect();
  await dispose();
}
