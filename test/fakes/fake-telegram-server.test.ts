import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Bot, GrammyError, InlineKeyboard } from "grammy";
import {
  FAKE_BOT_INFO,
  FAKE_TOKEN,
  callbackUpdate,
  startFakeTelegram,
  textUpdate,
  type FakeTelegram,
} from "./fake-telegram-server.ts";

/** These tests drive the fake with the real grammY, so the fake's wire format is the one grammY speaks. */

let fake: FakeTelegram;
beforeEach(async () => {
  fake = await startFakeTelegram();
});
afterEach(async () => {
  await fake.close();
});

function newBot(token = FAKE_TOKEN): Bot {
  return new Bot(token, { botInfo: FAKE_BOT_INFO, client: { apiRoot: fake.url } });
}

/** The GrammyError a promise rejects with (fails the test when it resolves or throws something else). */
async function grammyError(promise: Promise<unknown>): Promise<GrammyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GrammyError);
  return error as GrammyError;
}

describe("fake Telegram server with the real grammY", () => {
  it("records the reply of a handler to a text update", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply("Chào bạn"));
    await bot.handleUpdate(textUpdate({ chatId: 42, text: "xin chào" }));

    expect(fake.sent()).toEqual([{ chat_id: 42, text: "Chào bạn", reply_markup: undefined }]);
    expect(fake.requests.map((r) => r.method)).toEqual(["sendMessage"]);
    expect(fake.requests[0]!.token).toBe(FAKE_TOKEN);
  });

  it("answers Messages with per-chat increasing ids and the keyboard as sent", async () => {
    const bot = newBot();
    const keyboard = new InlineKeyboard().text("Có", "c:1.000123");
    const first = await bot.api.sendMessage(42, "một", { reply_markup: keyboard });
    const second = await bot.api.sendMessage(42, "hai");
    const group = await bot.api.sendMessage(-5, "ba");

    expect([first.message_id, second.message_id, group.message_id]).toEqual([1, 2, 1]);
    expect(first.chat).toEqual({ id: 42, type: "private" });
    expect(group.chat.type).toBe("group");
    expect(first.from?.id).toBe(FAKE_BOT_INFO.id);
    expect(first.reply_markup).toEqual({ inline_keyboard: [[{ text: "Có", callback_data: "c:1.000123" }]] });

    const edited = await bot.api.editMessageReplyMarkup(42, first.message_id);
    expect(edited).toMatchObject({ message_id: 1, text: "một" });
    expect(fake.calls("editMessageReplyMarkup")).toEqual([{ chat_id: 42, message_id: 1 }]);
  });

  it("refuses what Telegram refuses: too long text, too long callback data, empty text", async () => {
    const bot = newBot();
    const tooLong = await grammyError(bot.api.sendMessage(1, "x".repeat(4097)));
    expect(tooLong.error_code).toBe(400);
    expect(tooLong.description).toBe("Bad Request: message is too long");

    // 22 three-byte letters are 22 characters but 66 bytes.
    const data = "c:" + "ệ".repeat(21);
    expect(Buffer.byteLength(data)).toBe(65);
    const badButton = await grammyError(
      bot.api.sendMessage(1, "chọn", { reply_markup: new InlineKeyboard().text("A", data) }),
    );
    expect(badButton.error_code).toBe(400);
    expect(badButton.description).toBe("Bad Request: BUTTON_DATA_INVALID");

    const empty = await grammyError(bot.api.sendMessage(1, ""));
    expect(empty.description).toBe("Bad Request: message text is empty");

    // Exactly at the limits is fine.
    await bot.api.sendMessage(1, "x".repeat(4096), { reply_markup: new InlineKeyboard().text("A", "c:" + "a".repeat(62)) });
    expect(fake.requests.map((r) => r.failed)).toEqual([true, true, true, false]);
    expect(fake.sent()).toHaveLength(1);
  });

  it("answers 401 to a wrong token, so bot.init() fails", async () => {
    const bot = new Bot("999:WRONG", { client: { apiRoot: fake.url } });
    const error = await grammyError(bot.init());
    expect(error.error_code).toBe(401);
    expect(error.description).toBe("Unauthorized");
    expect(fake.requests).toMatchObject([{ method: "getMe", token: "999:WRONG", failed: true }]);
  });

  it("answers getMe with the bot info for the right token", async () => {
    const bot = new Bot(FAKE_TOKEN, { client: { apiRoot: fake.url } });
    await bot.init();
    expect(bot.botInfo).toEqual(FAKE_BOT_INFO);
  });

  it("fails the next n calls of a method as programmed, with retry_after", async () => {
    const bot = newBot();
    fake.failNext("sendMessage", 1, { error_code: 429, description: "Too Many Requests: retry after 1", retry_after: 1 });

    const error = await grammyError(bot.api.sendMessage(42, "một"));
    expect(error.error_code).toBe(429);
    expect(error.parameters.retry_after).toBe(1);

    await bot.api.sendMessage(42, "hai");
    expect(fake.requests.map((r) => r.failed)).toEqual([true, false]);
    expect(fake.sent().map((m) => m.text)).toEqual(["hai"]);
  });

  it("delivers pushed updates by long polling, and stops promptly", async () => {
    const bot = newBot();
    bot.on("message:text", (ctx) => ctx.reply(`Đã nhận: ${ctx.message.text}`));
    bot.on("callback_query:data", (ctx) => ctx.answerCallbackQuery({ text: "OK" }));
    fake.pushUpdate(textUpdate({ chatId: 42, text: "xin chào" }));

    const running = bot.start({ drop_pending_updates: false });
    const [reply] = await fake.waitFor("sendMessage", 1);
    expect(reply).toMatchObject({ chat_id: 42, text: "Đã nhận: xin chào" });

    // An update pushed while grammY is waiting in getUpdates ends the wait at once.
    const press = fake.pushUpdate(callbackUpdate({ chatId: 42, data: "c:1" }));
    await fake.waitFor("answerCallbackQuery", 1);

    const started = Date.now();
    await bot.stop();
    await running;
    expect(Date.now() - started).toBeLessThan(2000);

    const methods = fake.requests.map((r) => r.method);
    expect(methods[0]).toBe("deleteWebhook");
    expect(methods).toContain("getUpdates");
    // The final getUpdates of stop() confirms everything handled.
    const last = fake.calls("getUpdates").at(-1)!;
    expect(last).toEqual({ offset: press.update_id + 1, limit: 1 });
  });

  it("waitFor rejects with the recorded methods after its timeout", async () => {
    const bot = newBot();
    await bot.api.sendChatAction(42, "typing");
    await expect(fake.waitFor("sendMessage", 1, 50)).rejects.toThrow(/got 0; recorded: sendChatAction/);
  });
});
