// The benchmark's stand-in for Telegram's servers: the same fake the channel's tests use.
import { callbackUpdate, startFakeTelegram, textUpdate } from "../../test/fakes/fake-telegram-server.ts";

/**
 * The other side of `npm run bench:telegram`, in its own process so that it does not share the
 * measured process's thread: the fake Bot API (answering instantly) and the load — citizens' sessions
 * posted to the webhook over loopback HTTP. Talks to the parent over the fork's IPC channel:
 * → {type:"ready", fakeUrl}; ← {type:"run", …}; → {type:"done", …}.
 */
export interface RunRequest {
  type: "run";
  webhookUrl: string;
  secret: string;
  questions: string[];
  procedureCodes: string[];
  demo: { code: string; digits: string }[];
  sessions: number;
  concurrency: number;
  warmupSessions: number;
  /** Texts that mean something went wrong (the apology, the flood notice): counted, must be 0. */
  failureTexts: string[];
}

export interface RunResult {
  type: "done";
  times: number[];
  totalMs: number;
  updates: number;
  duplicates: number;
  messagesSent: number;
  callbackAnswers: number;
  failures: number;
}

const send = (message: unknown) => process.send!(message);
const fake = await startFakeTelegram();
send({ type: "ready", fakeUrl: fake.url });

process.on("message", (message: RunRequest) => {
  if (message.type !== "run") return;
  run(message).then(
    (result) => send(result),
    (error: unknown) => send({ type: "error", message: (error as Error).message }),
  );
});
process.on("disconnect", () => void fake.close().finally(() => process.exit(0)));

async function run(r: RunRequest): Promise<RunResult> {
  const command = (chatId: number, t: string) => textUpdate({ chatId, text: t, entities: [{ type: "bot_command", offset: 0, length: t.split(" ")[0]!.length }] });
  const text = (chatId: number, t: string) => textUpdate({ chatId, text: t });
  const tap = (chatId: number, data: string) => callbackUpdate({ chatId, data });

  /** One citizen's session, as the updates Telegram would post. */
  function session(n: number): { updates: object[]; duplicates: number } {
    const chatId = 10_000_000 + n;
    const demo = r.demo[n % r.demo.length]!;
    const question = text(chatId, r.questions[n % r.questions.length]!);
    const updates = [
      command(chatId, "/start"),
      question,
      tap(chatId, `s:${r.procedureCodes[n % r.procedureCodes.length]!}:documents`),
      text(chatId, "thế lệ phí bao nhiêu"),
      text(chatId, `tra cứu hồ sơ ${demo.code}`),
      text(chatId, demo.digits),
    ];
    if (n % 10 === 0) updates.splice(2, 0, question); // Telegram re-delivers the question
    return { updates, duplicates: n % 10 === 0 ? 1 : 0 };
  }

  async function post(update: object): Promise<number> {
    const t0 = performance.now();
    const res = await fetch(r.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": r.secret },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    return performance.now() - t0;
  }

  /** `count` sessions from number `first`, `concurrency` at a time; each session's updates in order. */
  async function drive(first: number, count: number) {
    const times: number[] = [];
    let next = first;
    let updates = 0;
    let duplicates = 0;
    const worker = async () => {
      while (next < first + count) {
        const s = session(next++);
        duplicates += s.duplicates;
        for (const u of s.updates) {
          times.push(await post(u));
          updates++;
        }
      }
    };
    await Promise.all(Array.from({ length: r.concurrency }, worker));
    return { times, updates, duplicates };
  }

  await drive(r.sessions, r.warmupSessions); // warm-up, not measured
  fake.reset();
  const t0 = performance.now();
  const measured = await drive(0, r.sessions);
  const totalMs = performance.now() - t0;
  const sent = fake.sent();
  return {
    type: "done",
    ...measured,
    totalMs,
    messagesSent: sent.length,
    callbackAnswers: fake.calls("answerCallbackQuery").length,
    failures: sent.filter((m) => r.failureTexts.includes(m.text)).length,
  };
}
