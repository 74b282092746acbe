import pino from "pino";
import type { FastifyInstance } from "fastify";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAdminAlerts } from "../../../src/adapters/postgres/admin-alerts.ts";
import { templateRatings } from "../../../src/core/ratings/rating-flow.ts";
import { createEventInbox, createSentTemplates } from "../../../src/adapters/postgres/channel-inbox.ts";
import { createTokenStore } from "../../../src/adapters/postgres/channel-tokens.ts";
import { startNotifications, type Notifications } from "../../../src/adapters/postgres/notification-dispatcher.ts";
import { createZaloClient } from "../../../src/channels/zalo/client.ts";
import { signatureVariants, signBody } from "../../../src/channels/zalo/inbound.ts";
import { createZaloTokens, ZALO } from "../../../src/channels/zalo/tokens.ts";
import { createZaloChannel, type ZaloChannel, type ZaloChannelOptions } from "../../../src/channels/zalo/zalo-channel.ts";
import type { AssistantParts } from "../../../src/cli/assistant-factory.ts";
import { DEMO_TRY } from "../../../src/cli/demo-dossiers.ts";
import type { Assistant } from "../../../src/core/dialogue/messages.ts";
import { createHttpServer } from "../../../src/server/app.ts";
import { demoAssistant } from "../../support/assistant.ts";
import { freshDatabase } from "../../support/databases.ts";
import { FAKE_ZALO, startFakeZalo, ZALO_PATHS, type FakeZalo } from "../../fakes/fake-zalo-server.ts";
import { emptyCatalogue } from "../../fakes/in-memory.ts";

const OA_KEY = "oa-secret-key-for-tests";
const PATH = "/webhooks/zalo";
const log = pino({ level: "silent" });

function recordingLog() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } };
}

let userNo = 3_000_000_000_000_000_000n;
const nextUser = () => String(++userNo);
let msgNo = 0;
const nextMsg = () => `msg${Date.now().toString(16)}${++msgNo}`;

/** Zalo's webhook bodies, as Zalo writes them (ids and timestamps as strings). */
const textEvent = (userId: string, text: string, msgId = nextMsg()) => ({
  app_id: FAKE_ZALO.appId,
  user_id_by_app: "7000000000000000001",
  event_name: "user_send_text",
  timestamp: String(Date.now()),
  sender: { id: userId },
  recipient: { id: FAKE_ZALO.oaId },
  message: { msg_id: msgId, text },
});

describe("the Zalo channel, end to end against a fake Zalo", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let parts: AssistantParts;
  let fake: FakeZalo;
  let channel: ZaloChannel;
  let app: FastifyInstance;
  let notifications: Notifications | undefined;
  let logged: ReturnType<typeof recordingLog>;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    parts = await demoAssistant(ctx.db, log);
  });
  afterAll(async () => ctx.dispose());

  beforeEach(async () => {
    fake = await startFakeZalo();
    await createTokenStore(ctx.db.pool, { processLocal: true }).save(ZALO, {
      accessToken: fake.tokens.access,
      refreshToken: fake.tokens.refresh,
      expiresAt: new Date(Date.now() + 20 * 3_600_000),
    });
  });
  afterEach(async () => {
    await notifications?.stop();
    notifications = undefined;
    await channel?.stop();
    await app?.close();
    await fake.close();
  });

  async function start(overrides: Partial<ZaloChannelOptions> = {}): Promise<void> {
    logged = recordingLog();
    const client = createZaloClient({ endpoints: { openApi: fake.url, oauth: fake.url, business: fake.url }, appId: FAKE_ZALO.appId, appSecret: FAKE_ZALO.appSecret, retryBaseMs: 5 });
    const alerts = createAdminAlerts(ctx.db.pool);
    const tokens = createZaloTokens({ store: createTokenStore(ctx.db.pool, { processLocal: true }), alerts, refresh: (r) => client.refresh(r), log: logged.log });
    channel = createZaloChannel({
      client,
      tokens,
      assistant: parts.assistant,
      inbox: createEventInbox(ctx.db.pool),
      sentTemplates: createSentTemplates(ctx.db.pool),
      ratings: templateRatings(parts.ratings),
      log: logged.log,
      texts: { unavailable: parts.templates.unavailable, textOnly: parts.templates.textOnly },
      signatures: signatureVariants({ appId: FAKE_ZALO.appId, oaSecretKey: OA_KEY, appSecret: FAKE_ZALO.appSecret }),
      outsideWindow: "hold",
      templates: {},
      statusName: (s) => `trạng thái ${s}`,
      ...overrides,
    });
    app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: log,
      rawWebhooks: [{ path: PATH, receive: (raw, headers) => channel.receive(raw, headers["x-zevent-signature"] as string | undefined) }],
    });
    await app.ready();
  }

  /** Posts the exact bytes of `body`, signed as Zalo signs them unless told otherwise. */
  const post = (body: unknown, signature: string | null = "good") => {
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    const header = signature === "good" ? signBody(raw, FAKE_ZALO.appId, OA_KEY) : signature;
    return app.inject({ method: "POST", url: PATH, headers: { "content-type": "application/json", ...(header === null ? {} : { "x-zevent-signature": header }) }, payload: raw });
  };
  /** Posts and waits until the channel has handled everything in hand. */
  const say = async (body: unknown) => {
    const res = await post(body);
    expect(res.statusCode).toBe(200);
    await channel.idle();
    return res;
  };
  const sentTo = (userId: string) => fake.sent.filter((m) => m.userId === userId);
  const inboxRows = async () => Number((await ctx.db.pool.query("select count(*) from channel_inbox")).rows[0].count);

  it("answers a question without tone marks with the procedure, its sections as buttons and the source link", async () => {
    await start();
    const user = nextUser();
    await say(textEvent(user, "lam giay khai sinh cho con can gi"));
    const messages = sentTo(user);
    const answer = messages.at(-1);
    expect(messages[0]!.text).toContain("khai sinh");
    for (const m of messages) expect(m.text).toBe(m.text.normalize("NFC"));
    expect(answer!.buttons.some((b) => b.type === "oa.query.hide" && String(b.payload).startsWith("#s:"))).toBe(true);
    expect(answer!.buttons.some((b) => b.type === "oa.open.url")).toBe(true);
    expect(answer!.buttons.length).toBeLessThanOrEqual(5);
    expect(fake.calls.every((c) => c.headers.access_token === FAKE_ZALO.initialAccess)).toBe(true);
  });

  it("answers 200 once the event is stored, before the answer is composed", async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: Assistant = { handle: async (m) => (await gate, parts.assistant.handle(m)) };
    await start({ assistant: slow });
    const user = nextUser();
    const res = await post(textEvent(user, "xin chào"));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ error: 0, message: "ok" });
    expect(sentTo(user)).toHaveLength(0);
    release();
    await channel.idle();
    expect(sentTo(user)).toHaveLength(1);
  });

  it("a button's payload comes back as text and chooses the procedure (round trip)", async () => {
    await start();
    const user = nextUser();
    await say(textEvent(user, "làm hộ chiếu"));
    const question = sentTo(user)[0]!;
    expect(question.text).toContain("Bạn muốn hỏi thủ tục nào");
    const button = question.buttons.find((b) => b.title.includes("cấp tỉnh"));
    expect(button).toMatchObject({ type: "oa.query.hide", payload: expect.stringMatching(/^#c:/) });
    await say(textEvent(user, button!.payload as string));
    expect(sentTo(user)[1]!.text).toContain("1.001456");
  });

  it("an event Zalo delivers twice is answered once", async () => {
    await start();
    const user = nextUser();
    const event = textEvent(user, "xin chào");
    const first = await post(event);
    const second = await post(event);
    await channel.idle();
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(second.json().message).toBe("duplicate");
    expect(sentTo(user)).toHaveLength(1);
  });

  it("refuses a wrong, missing or re-serialised signature with 401, storing and sending nothing", async () => {
    await start();
    const user = nextUser();
    const event = textEvent(user, "xin chào");
    const raw = JSON.stringify(event);
    const before = await inboxRows();
    expect((await post(event, signBody(raw, FAKE_ZALO.appId, "not-the-key"))).statusCode).toBe(401);
    expect((await post(event, null)).statusCode).toBe(401);
    expect((await post(JSON.stringify(event, null, 2), signBody(raw, FAKE_ZALO.appId, OA_KEY))).statusCode).toBe(401);
    expect((await post("{not json", "mac=" + "0".repeat(64))).statusCode).toBe(401);
    await channel.idle();
    expect(await inboxRows()).toBe(before);
    expect(fake.calls).toHaveLength(0);
    expect(logged.lines.filter((l) => l.message.includes("bad signature"))).toHaveLength(4);
  });

  it("a signed body that is not JSON gets 400; a signed event without a name is acknowledged and ignored", async () => {
    await start();
    expect((await post('{"timestamp":"1763800000000", broken')).statusCode).toBe(400);
    expect((await post({ timestamp: "1763800000000", hello: 1 })).statusCode).toBe(200);
    await channel.idle();
    expect(fake.calls).toHaveLength(0);
  });

  it("welcomes a new follower", async () => {
    await start();
    const user = nextUser();
    await say({ app_id: FAKE_ZALO.appId, oa_id: FAKE_ZALO.oaId, event_name: "follow", timestamp: String(Date.now()), follower: { id: user }, source: "oa_profile" });
    expect(sentTo(user).map((m) => m.text)).toEqual([parts.templates.welcome]);
  });

  it("answers an image, a sticker, a file or a location politely: text only", async () => {
    await start();
    const user = nextUser();
    for (const name of ["user_send_image", "user_send_sticker", "user_send_file", "user_send_location"]) {
      await say({ app_id: FAKE_ZALO.appId, event_name: name, timestamp: String(Date.now()), sender: { id: user }, recipient: { id: FAKE_ZALO.oaId }, message: { msg_id: nextMsg(), attachments: [{ type: "image", payload: {} }] } });
    }
    expect(sentTo(user).map((m) => m.text)).toEqual(Array(4).fill(parts.templates.textOnly));
  });

  it("ignores an unknown event safely, logging its name once", async () => {
    await start();
    for (let i = 0; i < 3; i++) await say({ app_id: FAKE_ZALO.appId, event_name: "user_reacted_message", timestamp: String(Date.now() + i), sender: { id: nextUser() } });
    expect(fake.calls).toHaveLength(0);
    expect(logged.lines.filter((l) => l.message.includes("not handled"))).toHaveLength(1);
  });

  it("splits a 2,500-character answer into two messages under 2,000", async () => {
    const long = `${"Hồ sơ gồm tờ khai và giấy tờ tùy thân. ".repeat(40).trim()}\n\n${"Lệ phí theo quy định của Hội đồng nhân dân tỉnh. ".repeat(20).trim()}`;
    expect(long.length).toBeGreaterThan(2_400);
    await start({ assistant: { handle: async () => ({ replies: [{ text: long }] }) } });
    const user = nextUser();
    await say(textEvent(user, "cho tôi biết hết"));
    const parts2 = sentTo(user);
    expect(parts2).toHaveLength(2);
    for (const m of parts2) expect(m.text.length).toBeLessThanOrEqual(2000);
    expect(parts2.map((m) => m.text).join("\n\n")).toBe(long);
  });

  it("when answering fails (the database went away), the citizen gets an apology and the event is recorded as failed", async () => {
    await start({ assistant: { handle: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")) } });
    const user = nextUser();
    await say(textEvent(user, "xin chào"));
    expect(sentTo(user).map((m) => m.text)).toEqual([parts.templates.unavailable]);
    const row = (await ctx.db.pool.query("select processed_at, last_error from channel_inbox order by id desc limit 1")).rows[0];
    expect(row.processed_at).not.toBeNull();
    expect(row.last_error).toContain("ECONNREFUSED");
  });

  it("when the event cannot be stored (the database went away), Zalo gets a 500 so it delivers again, and no stack trace", async () => {
    const down = { put: async () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")), done: async () => undefined, pending: async () => [] };
    await start({ inbox: down });
    const res = await post(textEvent(nextUser(), "xin chào"));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: "server:unavailable", message: expect.stringContaining("sự cố tạm thời") } });
    expect(res.body).not.toContain("ECONNREFUSED");
    expect(fake.calls).toHaveLength(0);
  });

  it("an event stored but never handled (a crash) is handled by the sweep", async () => {
    await start();
    const user = nextUser();
    const event = textEvent(user, "xin chào");
    await ctx.db.pool.query("insert into channel_inbox (channel, event_key, body, received_at) values ('zalo', $1, $2, now() - interval '5 minutes')", [
      `msg:${event.message.msg_id}`,
      JSON.stringify(event),
    ]);
    expect(await channel.sweep()).toBeGreaterThanOrEqual(1);
    await channel.idle();
    expect(sentTo(user)).toHaveLength(1);
    expect(await channel.sweep()).toBe(0);
  });

  describe("proactive messages and the window", () => {
    /** Looks a demo dossier up, verifies it and subscribes, as a citizen would on Zalo. */
    async function subscribe(user: string, demo = DEMO_TRY[0]!) {
      await say(textEvent(user, `tra cứu hồ sơ ${demo.code}`));
      await say(textEvent(user, demo.digits));
      const sub = sentTo(user).at(-1)!.buttons.find((b) => String(b.payload).startsWith("#sub:"));
      expect(sub).toBeDefined();
      await say(textEvent(user, sub!.payload as string));
      expect(sentTo(user).at(-1)!.text).toContain("Đã đăng ký");
      return demo;
    }
    async function dispatcher() {
      notifications = await startNotifications({
        db: ctx.db,
        log,
        senders: [channel.sender],
        compose: parts.composeNotification,
        ratingDelayMs: 3_600_000,
        sweepIntervalMs: 200,
        queue: { pollingIntervalSeconds: 0.5 },
      });
      return notifications;
    }
    const isHeld = async (user: string) =>
      (await ctx.db.pool.query("select 1 from dossier_notifications where chat_id = $1 and held_at is not null", [user])).rowCount === 1;
    const statusEvent = (code: string, status: 4 | 5 | 6) => parts.dossiers.ingest([{ id: `zalo-${code}-${status}-${Date.now()}`, dossierCode: code, occurredAt: new Date(), status }]);

    it("inside the window, a status update goes out as a CS message", async () => {
      await start();
      const user = nextUser();
      const demo = await subscribe(user);
      const n = await dispatcher();
      await statusEvent(demo.code, 5);
      n.kick();
      await fake.waitFor(() => sentTo(user).find((m) => m.text.includes("vừa được cập nhật")), 15_000);
      expect(fake.calls.some((c) => c.path === ZALO_PATHS.quota)).toBe(true);
    });

    it("-230 outside the window: the notification is held, logged, and sent when the citizen writes again", async () => {
      await start({ onActive: async (userId) => void (await notifications?.release("zalo", userId)) });
      const user = nextUser();
      const demo = await subscribe(user);
      fake.setWindow(user, "closed");
      const n = await dispatcher();
      await statusEvent(demo.code, 6);
      n.kick();
      await waitUntil(() => isHeld(user));
      expect(sentTo(user).some((m) => m.text.includes("vừa được cập nhật"))).toBe(false);
      expect(logged.lines.some((l) => l.message.includes("held until the citizen writes again"))).toBe(true);
      expect(fake.templates).toHaveLength(0); // no paid message spent

      fake.setWindow(user, "open");
      await say(textEvent(user, "cảm ơn"));
      await fake.waitFor(() => sentTo(user).find((m) => m.text.includes("vừa được cập nhật")), 15_000);
    });

    it("a send refused with -230 although the quota said open is held the same way", async () => {
      await start();
      const user = nextUser();
      const demo = await subscribe(user);
      // Every subscriber of this dossier (earlier tests' too) is refused: the window closed between quota and send.
      fake.failNext(ZALO_PATHS.cs, { error: -230, message: "User has not interacted with the OA in the past 7 days" }, 20);
      const n = await dispatcher();
      await statusEvent(demo.code, 4);
      n.kick();
      await waitUntil(() => isHeld(user));
    });

    it("with ZALO_OUTSIDE_WINDOW=template, a closed window sends the status template (paid, logged)", async () => {
      await start({ outsideWindow: "template", templates: { status: "tpl-status" } });
      const user = nextUser();
      const demo = await subscribe(user);
      fake.setWindow(user, "closed");
      const n = await dispatcher();
      await statusEvent(demo.code, 6);
      n.kick();
      const sent = await fake.waitFor(() => fake.templates.find((t) => t.userId === user), 15_000);
      expect(sent).toMatchObject({ templateId: "tpl-status", templateData: { ma_ho_so: demo.code, trang_thai: "trạng thái 6" } });
      // The fake records the template on arrival; the channel logs once Zalo has answered.
      await waitUntil(async () => logged.lines.some((l) => l.message.includes("sent as a template message (paid)")));
    });

    it("inside the window, the rating request goes out with buttons; the tapped payload (sent back as text) rates", async () => {
      await start();
      const user = nextUser();
      const code = `000.00.05.H48-251104-${user.slice(-4)}`;
      await parts.dossiers.ingest([
        { id: `zl-r-${code}-1`, dossierCode: code, occurredAt: new Date(Date.now() - 60_000), status: 2, procedureName: "Đăng ký kết hôn", phone: "0905123456" },
        { id: `zl-r-${code}-2`, dossierCode: code, occurredAt: new Date(), status: 9 },
      ]);
      const request = await parts.ratingRequests.compose({ dossierCode: code, channel: "zalo", chatId: user, reminder: false });
      await channel.sender.send(user, request!.replies, { dossierCode: code, kind: "rating", status: 9 });
      const ask = sentTo(user).at(-1)!;
      expect(ask.buttons.map((b) => b.title)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);
      expect(fake.templates).toHaveLength(0);
      await say(textEvent(user, ask.buttons[2]!.payload as string));
      expect((await ctx.db.pool.query("select overall from ratings where dossier_code = $1", [code])).rows[0].overall).toBe(1);
      const followUp = sentTo(user).at(-1)!;
      await say(textEvent(user, followUp.buttons.find((b) => b.title === "Bỏ qua")!.payload as string));
      expect(sentTo(user).at(-1)!.text).toContain("rất tiếc");
      await say(textEvent(user, "Phải chờ quá lâu"));
      const offer = sentTo(user).at(-1)!;
      await say(textEvent(user, offer.buttons.find((b) => b.title === "Gửi phản ánh")!.payload as string));
      expect(sentTo(user).at(-1)!.text).toMatch(/phản ánh của bạn, số PA-\d{6}-\d{4}/);
    });

    it("a rating template's answer (user_feedback, no user id) is recorded for its dossier, once", async () => {
      await start({ outsideWindow: "template", templates: { rating: "tpl-rating" } });
      const user = nextUser();
      fake.setWindow(user, "closed");
      const code = DEMO_TRY[1]!.code;
      await channel.sender.send(user, [{ text: "Bạn đánh giá thế nào?" }], { dossierCode: code, kind: "rating", status: 10 });
      const template = fake.templates.at(-1)!;
      expect(template).toMatchObject({ userId: user, templateId: "tpl-rating", templateData: { ma_ho_so: code } });
      const feedback = (rate: number) => ({
        app_id: FAKE_ZALO.appId,
        oa_id: FAKE_ZALO.oaId,
        event_name: "user_feedback",
        timestamp: String(Date.now()),
        message: { note: "Cán bộ hướng dẫn tận tình, số tôi 0912345678", rate, submit_time: String(Date.now()), msg_id: template.msgId, feedbacks: ["Thái độ phục vụ tốt"], tracking_id: "" },
      });
      await say(feedback(5));
      await say({ ...feedback(1), timestamp: String(Date.now() + 1) }); // the same form again: already rated
      const rows = (await ctx.db.pool.query("select dossier_code, chat_id, overall, stars, comment, feedbacks from ratings where dossier_code = $1", [code])).rows;
      expect(rows).toEqual([{ dossier_code: code, chat_id: user, overall: 3, stars: 5, comment: expect.stringContaining("tận tình"), feedbacks: ["Thái độ phục vụ tốt"] }]);
    });

    it("a blocked or unknown user is undeliverable (abandoned, not retried)", async () => {
      await start();
      fake.failNext(ZALO_PATHS.quota, { error: -213, message: "User has not followed the OA" });
      await expect(channel.sender.send(nextUser(), [{ text: "x" }])).rejects.toMatchObject({ name: "UndeliverableError", code: "zalo:-213" });
    });
  });
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
