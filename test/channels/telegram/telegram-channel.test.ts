import pino from "pino";
import type { FastifyInstance } from "fastify";
import type { Update } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createInboundDedupe } from "../../../src/adapters/postgres/inbound-dedupe.ts";
import { startNotifications, type Notifications } from "../../../src/adapters/postgres/notification-dispatcher.ts";
import { createTelegramChannel, TelegramStartError, type TelegramChannel, type TelegramChannelOptions } from "../../../src/channels/telegram/telegram-channel.ts";
import type { AssistantParts } from "../../../src/cli/assistant-factory.ts";
import { DEMO_TRY } from "../../../src/cli/demo-dossiers.ts";
import { telegramTexts } from "../../../src/cli/telegram-setup.ts";
import type { Assistant, InboundMessage } from "../../../src/core/dialogue/messages.ts";
import { createHttpServer } from "../../../src/server/app.ts";
import { demoAssistant } from "../../support/assistant.ts";
import { freshDatabase } from "../../support/databases.ts";
import { callbackUpdate, FAKE_BOT_INFO, FAKE_TOKEN, startFakeTelegram, textUpdate, type FakeTelegram } from "../../fakes/fake-telegram-server.ts";
import { emptyCatalogue } from "../../fakes/in-memory.ts";

const SECRET = "s3cret-token-for-the-webhook_0123456789abcdef";
const HEADER = "x-telegram-bot-api-secret-token";
const log = pino({ level: "silent" });
/** Log lines the channel wrote, to check what it says about failures (and what it does not). */
function recordingLog() {
  const lines: { level: string; fields: object; message: string }[] = [];
  const at = (level: string) => (fields: object, message: string) => void lines.push({ level, fields, message });
  return { lines, log: { info: at("info"), warn: at("warn"), error: at("error") } };
}

let chatNo = 5000;
const nextChat = () => ++chatNo;

describe("the Telegram channel, end to end against a fake Bot API", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let parts: AssistantParts;
  let fake: FakeTelegram;
  let channel: TelegramChannel;
  let app: FastifyInstance;
  let notifications: Notifications | undefined;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    parts = await demoAssistant(ctx.db, log);
  });
  afterAll(async () => ctx.dispose());

  /** A channel on the fake, mounted as a webhook on the app's HTTP server. */
  async function start(overrides: Partial<TelegramChannelOptions> = {}): Promise<void> {
    channel = createTelegramChannel({
      token: FAKE_TOKEN,
      assistant: parts.assistant,
      dedupe: createInboundDedupe(ctx.db.pool),
      log: recordingLog().log,
      texts: telegramTexts(parts.templates),
      apiRoot: fake.url,
      botInfo: FAKE_BOT_INFO,
      ...overrides,
    });
    app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: log,
      webhooks: [{ path: "/telegram/webhook", handler: channel.webhookHandler(SECRET) }],
    });
    await app.ready();
  }

  beforeEach(async () => {
    fake = await startFakeTelegram();
  });
  afterEach(async () => {
    await notifications?.stop();
    notifications = undefined;
    await channel?.stop();
    await app?.close();
    await fake.close();
  });

  /** Posts an update to the webhook; `secret: null` sends no secret header at all. */
  const post = (update: unknown, secret: string | null = SECRET) =>
    app.inject({ method: "POST", url: "/telegram/webhook", headers: secret === null ? {} : { [HEADER]: secret }, payload: update as object });
  const textsTo = (chatId: number) => fake.sent().filter((m) => m.chat_id === chatId).map((m) => m.text);
  const keyboardOf = (message: { reply_markup: unknown } | undefined) =>
    ((message?.reply_markup as { inline_keyboard?: { text: string; callback_data?: string; url?: string }[][] } | undefined)?.inline_keyboard ?? []).flat();

  it("answers a question sent to the webhook with the procedure, its sections as buttons and the source link", async () => {
    await start();
    const chat = nextChat();
    const res = await post(textUpdate({ chatId: chat, text: "lam giay khai sinh cho con can gi" }));
    expect(res.statusCode).toBe(200);
    const [answer] = fake.sent();
    expect(answer!.chat_id).toBe(chat);
    expect(answer!.text).toContain("khai sinh");
    expect(answer!.text).toBe(answer!.text.normalize("NFC"));
    const buttons = keyboardOf(answer);
    expect(buttons.some((b) => b.callback_data?.startsWith("s:"))).toBe(true);
    for (const b of buttons) if (b.callback_data) expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    expect(buttons.some((b) => b.url?.startsWith("https://"))).toBe(true);
    expect(fake.calls("sendMessage")[0]).not.toHaveProperty("parse_mode");
  });

  it("offers close procedures as buttons and answers the one tapped", async () => {
    await start();
    const chat = nextChat();
    await post(textUpdate({ chatId: chat, text: "làm hộ chiếu" }));
    const question = fake.sent()[0]!;
    expect(question.text).toContain("Bạn muốn hỏi thủ tục nào");
    const choice = keyboardOf(question).find((b) => b.text.includes("cấp tỉnh"));
    expect(choice?.callback_data).toMatch(/^c:/);

    await post(callbackUpdate({ chatId: chat, data: choice!.callback_data! }));
    expect(fake.calls("answerCallbackQuery")).toHaveLength(1);
    expect(fake.calls("answerCallbackQuery")[0]).not.toHaveProperty("text");
    expect(textsTo(chat)[1]).toContain("1.001456");
  });

  it("looks a dossier up, verifies the phone digits, subscribes, and pushes the next status update to the chat", async () => {
    await start();
    const chat = nextChat();
    const demo = DEMO_TRY[0]!;
    await post(textUpdate({ chatId: chat, text: `tra cứu hồ sơ ${demo.code}` }));
    expect(textsTo(chat)[0]).toContain("4 số cuối");
    expect(textsTo(chat)[0]).not.toContain("Quá trình xử lý");

    await post(textUpdate({ chatId: chat, text: demo.digits }));
    const details = fake.sent().at(-1)!;
    expect(details.text).toContain("Quá trình xử lý");
    const subscribe = keyboardOf(details).find((b) => b.callback_data?.startsWith("sub:"));
    expect(subscribe).toBeDefined();

    await post(callbackUpdate({ chatId: chat, data: subscribe!.callback_data! }));
    expect(textsTo(chat).at(-1)).toContain("Đã đăng ký");

    notifications = await startNotifications({
      db: ctx.db,
      log,
      senders: [channel.sender],
      compose: parts.composeNotification,
      ratingDelayMs: 60_000,
      sweepIntervalMs: 300,
      queue: { pollingIntervalSeconds: 0.5 },
    });
    const ingested = await parts.dossiers.ingest([{ id: `tg-e2e-${chat}`, dossierCode: demo.code, occurredAt: new Date(), status: 9 }]);
    expect(ingested.notifications).toBe(2); // the status update, and the rating request a closure leaves
    notifications.kick();
    const before = textsTo(chat).length;
    await fake.waitFor("sendMessage", fake.calls("sendMessage").length + 1, 15_000);
    const pushed = textsTo(chat).slice(before);
    expect(pushed.join("\n")).toContain("vừa được cập nhật");
    expect(pushed.join("\n")).toContain("Đã xử lý xong");
  });

  it("asks for a rating with inline buttons when a dossier closes; a tap rates, the follow-ups come as buttons too", async () => {
    await start();
    const chat = nextChat();
    const code = `000.00.05.H48-251103-${String(chat).slice(-4)}`;
    await parts.dossiers.ingest([
      { id: `tg-r-${code}-1`, dossierCode: code, occurredAt: new Date(Date.now() - 60_000), status: 2, procedureName: "Đăng ký khai sinh", phone: "0905123456" },
      { id: `tg-r-${code}-2`, dossierCode: code, occurredAt: new Date(), status: 10 },
    ]);
    // What the dispatcher does for a closure's rating row: compose, then send through the channel.
    const request = await parts.ratingRequests.compose({ dossierCode: code, channel: "telegram", chatId: String(chat), reminder: false });
    await channel.sender.send(String(chat), request!.replies, { dossierCode: code, kind: "rating", status: 10 });
    const ask = fake.sent().at(-1)!;
    expect(ask.text).toContain(code);
    const buttons = keyboardOf(ask);
    expect(buttons.map((b) => b.text)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);
    for (const b of buttons) expect(Buffer.byteLength(b.callback_data!)).toBeLessThanOrEqual(64);

    await post(callbackUpdate({ chatId: chat, data: buttons[0]!.callback_data! }));
    const followUp = fake.sent().at(-1)!;
    expect(followUp.text).toContain("liên hệ");
    expect((await ctx.db.pool.query("select overall from ratings where dossier_code = $1", [code])).rows[0].overall).toBe(3);
    await post(callbackUpdate({ chatId: chat, data: keyboardOf(followUp).find((b) => b.text === "1 lần")!.callback_data! }));
    expect((await ctx.db.pool.query("select contacts from ratings where dossier_code = $1", [code])).rows[0].contacts).toBe(1);
    // The same button again: rated once.
    await post(callbackUpdate({ chatId: chat, data: buttons[2]!.callback_data! }));
    expect(fake.sent().at(-1)!.text).toContain("đã được đánh giá (Rất hài lòng");
  });

  it("answers an update Telegram delivers twice only once", async () => {
    await start();
    const chat = nextChat();
    const update = textUpdate({ chatId: chat, text: "xin chào" });
    expect((await post(update)).statusCode).toBe(200);
    expect((await post(update)).statusCode).toBe(200);
    expect(textsTo(chat)).toHaveLength(1);
  });

  it("answers a forged or stale button politely, without an error", async () => {
    await start();
    const chat = nextChat();
    await post(callbackUpdate({ chatId: chat, data: "<script>alert(1)</script>" }));
    const toast = fake.calls("answerCallbackQuery")[0] as { text?: string };
    expect(toast.text).toContain("không còn hiệu lực");
    expect(textsTo(chat)).toEqual([]);

    await post(callbackUpdate({ chatId: chat, data: "c:9.999999" }));
    expect(textsTo(chat)).toEqual([parts.templates.staleChoice]);
    await post(callbackUpdate({ chatId: chat, data: "sub:000.00.12.H29-250312-0042" }));
    expect(textsTo(chat).at(-1)).toContain("xác minh");
  });

  it("retries a message Telegram refused with 429, after the time it asked for", async () => {
    await start();
    const chat = nextChat();
    fake.failNext("sendMessage", 1, { error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 });
    const t0 = Date.now();
    await post(textUpdate({ chatId: chat, text: "xin chào" }));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const attempts = fake.requests.filter((r) => r.method === "sendMessage");
    expect(attempts.map((r) => r.failed)).toEqual([true, false]);
    expect(textsTo(chat)).toHaveLength(1);
  });

  it("rejects webhook requests with a wrong or missing secret (401) and processes nothing", async () => {
    await start();
    const chat = nextChat();
    const update = textUpdate({ chatId: chat, text: "xin chào" });
    for (const secret of ["wrong-secret", null, `${SECRET}x`, ""]) {
      const res = await post(update, secret);
      expect(res.statusCode, `${secret}: ${res.body}`).toBe(401);
    }
    expect(fake.requests).toEqual([]);
    const seen = await ctx.db.pool.query("select 1 from inbound_updates where channel = 'telegram' and update_key = $1", [String(update.update_id)]);
    expect(seen.rowCount).toBe(0);
    // The same update with the right secret is then answered: nothing was marked as seen.
    await post(update);
    expect(textsTo(chat)).toHaveLength(1);
  });

  it("acknowledges a malformed update with the right secret and sends nothing", async () => {
    await start();
    for (const body of [{}, { update_id: "12" }, { update_id: -1, message: {} }]) {
      expect((await post(body)).statusCode).toBe(200);
    }
    expect(fake.requests).toEqual([]);
  });

  it("registers its commands, welcomes on /start and cancels a step on /huy", async () => {
    await start();
    await channel.init();
    const commands = (fake.calls("setMyCommands")[0] as { commands: { command: string; description: string }[] }).commands;
    expect(commands.map((c) => c.command)).toEqual(["start", "help", "tra_cuu", "huy"]);
    for (const c of commands) expect(c.description).toBe(c.description.normalize("NFC"));

    const chat = nextChat();
    const command = (text: string) => textUpdate({ chatId: chat, text, entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] });
    await post(command("/start"));
    expect(textsTo(chat)[0]).toContain("Xin chào");
    await post(command("/tra_cuu"));
    expect(textsTo(chat)[1]).toContain("mã hồ sơ");
    await post(command("/huy"));
    expect(textsTo(chat)[2]).toContain("Đã hủy");
    await post(command(`/tra_cuu ${DEMO_TRY[1]!.code}`));
    expect(textsTo(chat)[3]).toContain("4 số cuối");
    await post(command("/help@tro_ly_thu_tuc_bot"));
    expect(textsTo(chat)[4]).toContain("Tôi có thể giúp bạn");
  });

  it("fails to start with a clear message when Telegram refuses the token", async () => {
    await start({ token: "999:WRONG-TOKEN-ABCDEFGHIJKLMNOP", botInfo: undefined });
    const failure = await channel.init().then(
      () => null,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(TelegramStartError);
    expect((failure as Error).message).toContain("TELEGRAM_BOT_TOKEN");
    expect((failure as Error).message).toContain("@BotFather");
  });

  it("in a group, answers only when addressed, quoting the question, and looks up dossiers only in private", async () => {
    await start();
    const group = -(nextChat());
    await post(textUpdate({ chatId: group, chatType: "group", fromId: 77, text: "lệ phí làm hộ chiếu bao nhiêu" }));
    await post(textUpdate({ chatId: group, chatType: "group", fromId: 77, text: "/help@some_other_bot", entities: [{ type: "bot_command", offset: 0, length: 20 }] }));
    expect(fake.sent()).toEqual([]);

    const mention = "@tro_ly_thu_tuc_bot đăng ký khai sinh cần giấy tờ gì";
    const asked = textUpdate({ chatId: group, chatType: "group", fromId: 77, text: mention, entities: [{ type: "mention", offset: 0, length: 19 }] });
    await post(asked);
    const answer = fake.calls("sendMessage")[0] as { chat_id: number; text: string; reply_parameters?: { message_id: number } };
    expect(answer.chat_id).toBe(group);
    expect(answer.text).toContain("khai sinh");
    expect(answer.reply_parameters?.message_id).toBe(asked.message!.message_id);

    await post(textUpdate({ chatId: group, chatType: "group", fromId: 77, text: `/tra_cuu ${DEMO_TRY[0]!.code}`, entities: [{ type: "bot_command", offset: 0, length: 8 }] }));
    expect(textsTo(group).at(-1)).toContain("cuộc trò chuyện riêng");
    expect(textsTo(group).join("\n")).not.toContain("Ngày hẹn trả kết quả");
  });

  it("ignores group chats entirely when configured off", async () => {
    await start({ groups: "off" });
    const group = -(nextChat());
    await post(textUpdate({ chatId: group, chatType: "group", text: "/start", entities: [{ type: "bot_command", offset: 0, length: 6 }] }));
    expect(fake.sent()).toEqual([]);
  });

  it("splits an answer longer than 4,096 characters at section boundaries, buttons on the last part", async () => {
    const section = (n: number) => `Mục ${n}:\n${"• Bản sao giấy tờ có chứng thực hoặc bản chính để đối chiếu.\n".repeat(30)}`;
    const long: Assistant = {
      handle: async () => ({ replies: [{ text: [1, 2, 3, 4, 5].map(section).join("\n"), choices: [{ id: "s:1.001456:fees", label: "Lệ phí" }] }] }),
    };
    await start({ assistant: long });
    const chat = nextChat();
    await post(textUpdate({ chatId: chat, text: "hỏi dài" }));
    const sent = fake.sent();
    expect(sent.length).toBe(3);
    for (const m of sent) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(sent[1]!.text.startsWith("Mục")).toBe(true);
    expect(keyboardOf(sent[0])).toEqual([]);
    expect(keyboardOf(sent[2]).map((b) => b.text)).toEqual(["Lệ phí"]);
  });

  it("handles one chat's updates in order, even when they arrive together", async () => {
    const order: string[] = [];
    const slowFirst: Assistant = {
      handle: async (m: InboundMessage) => {
        if (m.text === "một") await new Promise((r) => setTimeout(r, 300));
        order.push(m.text ?? "");
        return { replies: [{ text: `Trả lời: ${m.text}` }] };
      },
    };
    await start({ assistant: slowFirst });
    const chat = nextChat();
    const other = nextChat();
    await Promise.all([
      post(textUpdate({ chatId: chat, text: "một" })),
      post(textUpdate({ chatId: chat, text: "hai" })),
      post(textUpdate({ chatId: other, text: "khác" })),
    ]);
    expect(textsTo(chat)).toEqual(["Trả lời: một", "Trả lời: hai"]);
    expect(order.indexOf("khác")).toBeLessThan(order.indexOf("một")); // another chat does not wait
  });

  it("asks a flooding person to slow down once, and drops the rest of the window", async () => {
    await start({ flood: { limit: 3, windowMs: 60_000 } });
    const chat = nextChat();
    for (let i = 0; i < 6; i++) await post(textUpdate({ chatId: chat, text: "xin chào" }));
    const texts = textsTo(chat);
    expect(texts).toHaveLength(4);
    expect(texts[3]).toBe(parts.templates.tooFast);
  });

  it("tells a citizen who sends a photo that only text is read", async () => {
    await start();
    const chat = nextChat();
    const photo = textUpdate({ chatId: chat, text: "x" }) as Update & { message: Record<string, unknown> };
    delete photo.message.text;
    photo.message.photo = [{ file_id: "f", file_unique_id: "u", width: 10, height: 10 }];
    await post(photo);
    expect(textsTo(chat)).toEqual([parts.templates.textOnly]);
  });

  it("answers kindly and logs the update id when the database is gone", async () => {
    const { lines, log: channelLog } = recordingLog();
    await start({ log: channelLog, dedupe: { firstSeen: async () => Promise.reject(new Error("connection terminated")) } });
    const chat = nextChat();
    const update = textUpdate({ chatId: chat, text: "xin chào" });
    expect((await post(update)).statusCode).toBe(200);
    expect(textsTo(chat)).toEqual([parts.templates.unavailable]);
    const logged = lines.find((l) => l.level === "error");
    expect(logged?.fields).toMatchObject({ update: update.update_id });
    expect(JSON.stringify(lines)).not.toContain(FAKE_TOKEN);
    // Group chatter the bot was not asked about gets no apology, even while the database is down.
    const group = -(nextChat());
    await post(textUpdate({ chatId: group, chatType: "group", fromId: 9, text: "mai họp lúc mấy giờ" }));
    expect(textsTo(group)).toEqual([]);
  });

  it("delivers notifications to private chats, and reports a chat that blocked the bot as undeliverable", async () => {
    await start();
    const chat = nextChat();
    await channel.sender.send(String(chat), [{ text: "Hồ sơ đã có kết quả.", choices: [{ id: "cmd:help", label: "Trợ giúp" }] }]);
    expect(textsTo(chat)).toEqual(["Hồ sơ đã có kết quả."]);
    fake.failNext("sendMessage", 1, { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await expect(channel.sender.send(String(chat), [{ text: "x" }])).rejects.toMatchObject({ name: "UndeliverableError", code: "telegram:403" });
    await expect(channel.sender.send("-100:5", [{ text: "x" }])).rejects.toMatchObject({ name: "UndeliverableError" });
  });

  it("long-polls when no webhook is set, and stops cleanly", async () => {
    await start();
    await channel.startPolling();
    const chat = nextChat();
    fake.pushUpdate(textUpdate({ chatId: chat, text: "xin chào" }));
    await fake.waitFor("sendMessage", 1);
    expect(textsTo(chat)[0]).toContain("Xin chào");
    expect(fake.calls("deleteWebhook")).toHaveLength(1);
    const t0 = Date.now();
    await channel.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
