// The benchmark's stand-in for Zalo's servers: the same fake the channel's tests use.
import { FAKE_ZALO, startFakeZalo } from "../../test/fakes/fake-zalo-server.ts";
import { signBody } from "../channels/zalo/inbound.ts";

/**
 * The other side of `npm run bench:zalo`, in its own process so that it does not share the measured
 * process's thread: the fake Zalo Open API (answering instantly) and the load — citizens' webhook events,
 * signed as Zalo signs them, posted over loopback HTTP. Talks to the parent over the fork's IPC channel:
 * → {type:"ready", fakeUrl}; ← {type:"run", …} → {type:"done", …} (once for the warm-up, once measured);
 * ← {type:"report"} → {type:"report", …} (what the fake received, asked once everything was handled).
 */
export interface RunRequest {
  type: "run";
  webhookUrl: string;
  /** `X-ZEvent-Signature` = signBody(raw, signId, signKey): the app id and the configured OA secret key. */
  signId: string;
  signKey: string;
  questions: string[];
  procedureCodes: string[];
  demo: { code: string; digits: string }[];
  /** Sessions `first` … `first + count - 1`, `concurrency` at a time. */
  first: number;
  count: number;
  concurrency: number;
  /** Clear the fake's records first (the measured run). */
  reset: boolean;
}

export interface RunResult {
  type: "done";
  /** Time-to-200 of each post, ms. */
  times: number[];
  totalMs: number;
  /** Posts, duplicates included. */
  events: number;
  /** Posts that re-delivered an event already posted (same msg_id). */
  duplicates: number;
  /** Webhook answers by their `message`: "ok" (stored), "duplicate" (not stored again), anything else. */
  answers: { ok: number; duplicate: number; other: number };
}

export interface ReportRequest {
  type: "report";
  /** Texts that mean something went wrong (the apology): counted, must be 0. */
  failureTexts: string[];
  /** The polite "text only" notice: one per image posted. */
  textOnly: string;
}

export interface ReportResult {
  type: "report";
  /** CS messages the fake accepted since the measured run started. */
  messagesSent: number;
  /** Calls refused by the fake (bad token, bad parameters…). */
  refusedCalls: number;
  failures: number;
  textOnlyNotices: number;
  /** Images posted in the measured run (each owes one text-only notice). */
  images: number;
  /** Measured citizens who got fewer CS messages than the distinct events they sent (each owes ≥ 1). */
  shortChanged: number;
}

const send = (message: unknown) => process.send!(message);
const fake = await startFakeZalo();
send({ type: "ready", fakeUrl: fake.url });

/** Distinct events each measured citizen sent, and the images among them. */
let owed = new Map<string, number>();
let images = 0;

process.on("message", (message: RunRequest | ReportRequest) => {
  if (message.type === "run") {
    run(message).then(
      (result) => send(result),
      (error: unknown) => send({ type: "error", message: (error as Error).message }),
    );
  } else if (message.type === "report") {
    send(report(message));
  }
});
process.on("disconnect", () => void fake.close().finally(() => process.exit(0)));

let msgSeq = 0;
/** Zalo's msg_ids are 32 hex digits; unique within the run. */
const nextMsgId = () => (++msgSeq).toString(16).padStart(32, "0");

function report(r: ReportRequest): ReportResult {
  const perUser = new Map<string, number>();
  for (const m of fake.sent) perUser.set(m.userId, (perUser.get(m.userId) ?? 0) + 1);
  let shortChanged = 0;
  for (const [user, events] of owed) if ((perUser.get(user) ?? 0) < events) shortChanged++;
  return {
    type: "report",
    messagesSent: fake.sent.length,
    refusedCalls: fake.calls.filter((c) => {
      const a = c.answer as { error?: unknown; status?: unknown };
      return (typeof a.error === "number" && a.error !== 0) || a.status !== undefined;
    }).length,
    failures: fake.sent.filter((m) => r.failureTexts.includes(m.text)).length,
    textOnlyNotices: fake.sent.filter((m) => m.text === r.textOnly).length,
    images,
    shortChanged,
  };
}

async function run(r: RunRequest): Promise<RunResult> {
  const now = () => String(Date.now());
  /** Zalo's webhook bodies, as Zalo writes them (ids and timestamps as strings). */
  const text = (userId: string, t: string, msgId = nextMsgId()) => ({
    app_id: FAKE_ZALO.appId,
    user_id_by_app: userId.replace(/^3/, "7"),
    event_name: "user_send_text",
    timestamp: now(),
    sender: { id: userId },
    recipient: { id: FAKE_ZALO.oaId },
    message: { msg_id: msgId, text: t },
  });
  const follow = (userId: string) => ({
    app_id: FAKE_ZALO.appId,
    oa_id: FAKE_ZALO.oaId,
    user_id_by_app: userId.replace(/^3/, "7"),
    event_name: "follow",
    timestamp: now(),
    follower: { id: userId },
    source: "oa_profile",
  });
  const image = (userId: string) => ({
    app_id: FAKE_ZALO.appId,
    user_id_by_app: userId.replace(/^3/, "7"),
    event_name: "user_send_image",
    timestamp: now(),
    sender: { id: userId },
    recipient: { id: FAKE_ZALO.oaId },
    message: {
      msg_id: nextMsgId(),
      attachments: [{ type: "image", payload: { url: "https://photo-stal.zadn.vn/bench/giay-to.jpg", thumbnail: "https://photo-stal.zadn.vn/bench/giay-to-thumb.jpg" } }],
    },
  });

  /**
   * One citizen's session, as the events Zalo would post. Built lazily, event by event, so each carries
   * the time it is sent; a duplicate repeats the earlier body byte for byte (Zalo re-delivers, it does
   * not re-write).
   */
  function session(n: number): { userId: string; events: (() => object)[]; duplicates: number; images: number } {
    const userId = String(3_000_000_000_000_000_000n + BigInt(n));
    const demo = r.demo[n % r.demo.length]!;
    const questionId = nextMsgId();
    let question: object | undefined;
    const events: (() => object)[] = [
      () => follow(userId),
      () => (question = text(userId, r.questions[n % r.questions.length]!, questionId)),
      () => text(userId, `#s:${r.procedureCodes[n % r.procedureCodes.length]!}:documents`),
      () => text(userId, "thế lệ phí bao nhiêu"),
      () => text(userId, `tra cứu hồ sơ ${demo.code}`),
      () => text(userId, demo.digits),
    ];
    if (n % 5 === 0) events.splice(4, 0, () => image(userId)); // a photo of a paper, between the fee and the lookup
    if (n % 10 === 0) events.splice(2, 0, () => question!); // Zalo re-delivers the question
    return { userId, events, duplicates: n % 10 === 0 ? 1 : 0, images: n % 5 === 0 ? 1 : 0 };
  }

  const answers = { ok: 0, duplicate: 0, other: 0 };
  async function post(event: object): Promise<number> {
    const raw = JSON.stringify(event);
    const signature = signBody(raw, r.signId, r.signKey);
    const t0 = performance.now();
    const res = await fetch(r.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "x-zevent-signature": signature },
      body: raw,
    });
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${body.slice(0, 200)}`);
    const message = (JSON.parse(body) as { message?: unknown }).message;
    if (message === "ok") answers.ok++;
    else if (message === "duplicate") answers.duplicate++;
    else answers.other++;
    return ms;
  }

  if (r.reset) {
    fake.reset();
    owed = new Map();
    images = 0;
  }
  const times: number[] = [];
  let next = r.first;
  let events = 0;
  let duplicates = 0;
  // Each worker is one webhook connection's worth of load: a session's events in order, each posted
  // once the previous one got its 200 (Zalo does not wait for answers).
  const worker = async () => {
    while (next < r.first + r.count) {
      const s = session(next++);
      duplicates += s.duplicates;
      if (r.reset) {
        owed.set(s.userId, s.events.length - s.duplicates);
        images += s.images;
      }
      for (const make of s.events) {
        times.push(await post(make()));
        events++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: r.concurrency }, worker));
  const totalMs = performance.now() - t0;
  return { type: "done", times, totalMs, events, duplicates, answers };
}
