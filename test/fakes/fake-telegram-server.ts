import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MessageEntity, Update, User, UserFromGetMe } from "grammy/types";

/**
 * A real HTTP server speaking the Telegram Bot API wire format, so the Telegram channel is tested
 * through grammY and the network stack (`new Bot(token, { botInfo, client: { apiRoot: fake.url } })`),
 * never reaching api.telegram.org.
 *
 * It refuses what Telegram refuses where our code is likely to get it wrong (empty or too long text,
 * callback data over 64 bytes, a wrong token), so a test passing here means the request would be
 * accepted for real. Every call is recorded for assertions; failures can be programmed per method.
 */

/** The token the fake accepts unless told otherwise. */
export const FAKE_TOKEN = "123456:TEST-TOKEN";

/** What `getMe` answers; pass it as `botInfo` so grammY does not have to call `getMe` itself. */
export const FAKE_BOT_INFO: UserFromGetMe = {
  id: 777000111,
  is_bot: true,
  first_name: "Trợ lý thủ tục",
  username: "tro_ly_thu_tuc_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  // Required by the Bot API types grammY 1.46 ships with; Telegram answers them too.
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

/** Telegram's limits, as its servers enforce them. */
export const TELEGRAM_LIMITS = {
  /** Message text, in UTF-16 code units (what `String.length` counts). */
  textLength: 4096,
  /** Inline button callback data, in UTF-8 bytes. */
  callbackDataBytes: 64,
  /** answerCallbackQuery notification text, in characters. */
  callbackAnswerLength: 200,
} as const;

/** The parameters of a call: the JSON body, or the fields of a form-encoded one. */
export type TelegramParams = Record<string, unknown>;

export interface TelegramFailure {
  error_code: number;
  description: string;
  /** Sent as `parameters.retry_after` (seconds), as Telegram does for 429. */
  retry_after?: number;
}

export interface RecordedTelegramRequest {
  method: string;
  token: string;
  /** The parsed JSON body; for a form-encoded body its fields; {} for an empty or multipart body. */
  body: TelegramParams;
  /** The body as received, kept only when it was not JSON (form-encoded or multipart). */
  rawBody?: string;
  /** True when the fake answered an error (programmed, validation, or wrong token). */
  failed: boolean;
  /** Date.now() on arrival. */
  at: number;
}

export interface SentMessage {
  chat_id: number | string;
  text: string;
  reply_markup: unknown;
}

export interface FakeTelegramOptions {
  /** The only token accepted; any other answers 401 Unauthorized. Default {@link FAKE_TOKEN}. */
  token?: string;
  /** What `getMe` answers and the `from` of the bot's messages. Default {@link FAKE_BOT_INFO}. */
  botInfo?: UserFromGetMe;
}

export interface FakeTelegram {
  /** The `apiRoot` to give grammY: `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** The token the fake accepts. */
  token: string;
  /** Every call received, in arrival order (a live array). */
  requests: RecordedTelegramRequest[];
  /** The bodies of the successful calls of `method`, in order. */
  calls(method: string): TelegramParams[];
  /** The successful sendMessage calls, reduced to what tests usually check. */
  sent(): SentMessage[];
  /** Resolves with the successful calls of `method` once at least `count` were recorded. */
  waitFor(method: string, count: number, timeoutMs?: number): Promise<TelegramParams[]>;
  /** Queue an update for getUpdates; assigns `update_id` when missing. Returns the queued update. */
  pushUpdate(update: Omit<Update, "update_id"> & { update_id?: number }): Update;
  /** The next `n` calls of `method` answer `failure` instead of succeeding. */
  failNext(method: string, n: number, failure: TelegramFailure): void;
  /** Delay every response by `ms` (0 to stop). */
  setDelay(ms: number): void;
  /** Forget recorded calls and pending failures; queued updates and message ids are kept. */
  reset(): void;
  /** End pending long polls and close the server. */
  close(): Promise<void>;
}

interface Outcome {
  ok: boolean;
  result?: unknown;
  failure?: TelegramFailure;
}

interface PollWaiter {
  offset: number;
  limit: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

interface CountWaiter {
  method: string;
  count: number;
  resolve: (calls: TelegramParams[]) => void;
}

const UNAUTHORIZED: TelegramFailure = { error_code: 401, description: "Unauthorized" };
const CONFLICT: TelegramFailure = {
  error_code: 409,
  description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
};

const badRequest = (what: string): Outcome => ({ ok: false, failure: { error_code: 400, description: `Bad Request: ${what}` } });

/** Telegram accepts nested objects either as JSON or as a JSON-encoded string (form bodies). */
function asObject(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** The first problem Telegram would report with an inline keyboard, or undefined. */
function keyboardProblem(replyMarkup: unknown): string | undefined {
  const markup = asObject(replyMarkup) as { inline_keyboard?: unknown } | undefined;
  if (!markup || typeof markup !== "object" || !Array.isArray(markup.inline_keyboard)) return undefined;
  for (const row of markup.inline_keyboard) {
    if (!Array.isArray(row)) return "can't parse inline keyboard button: InlineKeyboardButton must be an Object";
    for (const button of row as Array<{ callback_data?: unknown }>) {
      const data = button?.callback_data;
      if (data === undefined) continue;
      // Telegram wants 1-64 bytes; an empty string is refused as well.
      if (typeof data !== "string" || data.length === 0 || Buffer.byteLength(data, "utf8") > TELEGRAM_LIMITS.callbackDataBytes) {
        return "BUTTON_DATA_INVALID";
      }
    }
  }
  return undefined;
}

/** The problem Telegram would report with a message text, or undefined. */
function textProblem(text: unknown): string | undefined {
  // Telegram trims the text: whitespace alone is "empty" too.
  if (typeof text !== "string" || text.trim() === "") return "message text is empty";
  if (text.length > TELEGRAM_LIMITS.textLength) return "message is too long";
  return undefined;
}

function chatOf(chatId: unknown): { id: number | string; type: string } {
  const id = typeof chatId === "string" && /^-?\d+$/.test(chatId) ? Number(chatId) : (chatId as number | string);
  if (typeof id !== "number") return { id, type: "channel" }; // "@channelusername"
  // -100xxxxxxxxxx ids are supergroups (and channels); other negative ids are basic groups.
  const type = id >= 0 ? "private" : id <= -1_000_000_000_000 ? "supergroup" : "group";
  return { id, type };
}

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const token = options.token ?? FAKE_TOKEN;
  const botInfo = options.botInfo ?? FAKE_BOT_INFO;
  const botUser: User = { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username };

  const requests: RecordedTelegramRequest[] = [];
  const failures = new Map<string, Array<{ left: number; failure: TelegramFailure }>>();
  const queue: Update[] = [];
  let nextUpdateId = 1;
  const polls = new Set<PollWaiter>();
  const countWaiters = new Set<CountWaiter>();
  const timers = new Set<NodeJS.Timeout>();
  /** Last message id per chat, so ids increase per chat as Telegram's do. */
  const lastMessageId = new Map<string, number>();
  /** Messages the bot sent, so an edit of the keyboard alone still answers the message's text. */
  const messages = new Map<string, Record<string, unknown>>();
  let delayMs = 0;
  let closed = false;

  function calls(method: string): TelegramParams[] {
    const out: TelegramParams[] = [];
    for (const r of requests) if (r.method === method && !r.failed) out.push(r.body);
    return out;
  }

  function countSucceeded(method: string): number {
    let n = 0;
    for (const r of requests) if (r.method === method && !r.failed) n++;
    return n;
  }

  function record(entry: RecordedTelegramRequest): void {
    requests.push(entry);
    if (entry.failed || countWaiters.size === 0) return;
    for (const w of countWaiters) {
      if (w.method === entry.method && countSucceeded(w.method) >= w.count) {
        countWaiters.delete(w);
        w.resolve(calls(w.method));
      }
    }
  }

  function takeFailure(method: string): TelegramFailure | undefined {
    const list = failures.get(method);
    const head = list?.[0];
    if (!list || !head) return undefined;
    head.left--;
    if (head.left <= 0) list.shift();
    if (list.length === 0) failures.delete(method);
    return head.failure;
  }

  function reply(res: ServerResponse, outcome: Outcome): void {
    if (res.destroyed || res.writableEnded) return; // the client gave up (aborted long poll)
    let status = 200;
    let text: string;
    if (outcome.ok) {
      text = JSON.stringify({ ok: true, result: outcome.result });
    } else {
      const f = outcome.failure!;
      status = f.error_code;
      const body: Record<string, unknown> = { ok: false, error_code: f.error_code, description: f.description };
      if (f.retry_after !== undefined) body.parameters = { retry_after: f.retry_after };
      text = JSON.stringify(body);
    }
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  function storeMessage(chatId: unknown, messageId: number, fields: Record<string, unknown>): Record<string, unknown> {
    const chat = chatOf(chatId);
    const key = `${chat.id}:${messageId}`;
    const previous = messages.get(key);
    const message: Record<string, unknown> = {
      message_id: messageId,
      date: (previous?.date as number | undefined) ?? Math.floor(Date.now() / 1000),
      chat,
      from: botUser,
      text: previous?.text,
      ...(previous?.reply_markup !== undefined ? { reply_markup: previous.reply_markup } : {}),
      ...fields,
    };
    if (previous) message.edit_date = Math.floor(Date.now() / 1000);
    messages.set(key, message);
    return message;
  }

  /** The answer to a call that passed the token check and has no programmed failure. */
  function answer(method: string, p: TelegramParams): Outcome {
    switch (method) {
      case "getMe":
        return { ok: true, result: botInfo };
      case "sendMessage": {
        const problem = textProblem(p.text) ?? keyboardProblem(p.reply_markup);
        if (problem) return badRequest(problem);
        if (p.chat_id === undefined || p.chat_id === "") return badRequest("chat_id is empty");
        const chat = chatOf(p.chat_id);
        const messageId = (lastMessageId.get(String(chat.id)) ?? 0) + 1;
        lastMessageId.set(String(chat.id), messageId);
        const fields: Record<string, unknown> = { text: p.text };
        if (p.reply_markup !== undefined) fields.reply_markup = asObject(p.reply_markup);
        return { ok: true, result: storeMessage(p.chat_id, messageId, fields) };
      }
      case "editMessageText":
      case "editMessageReplyMarkup": {
        const problem = (method === "editMessageText" ? textProblem(p.text) : undefined) ?? keyboardProblem(p.reply_markup);
        if (problem) return badRequest(problem);
        // Inline messages are edited without a Message to return: Telegram answers true.
        if (p.inline_message_id !== undefined) return { ok: true, result: true };
        if (p.chat_id === undefined || p.message_id === undefined) return badRequest("message identifier is not specified");
        const fields: Record<string, unknown> = {};
        if (method === "editMessageText") fields.text = p.text;
        // A missing reply_markup removes the keyboard, in both methods.
        fields.reply_markup = p.reply_markup === undefined ? undefined : asObject(p.reply_markup);
        const message = storeMessage(p.chat_id, Number(p.message_id), fields);
        if (message.reply_markup === undefined) delete message.reply_markup;
        if (message.text === undefined) delete message.text;
        return { ok: true, result: message };
      }
      case "answerCallbackQuery":
        if (typeof p.text === "string" && p.text.length > TELEGRAM_LIMITS.callbackAnswerLength) return badRequest("MESSAGE_TOO_LONG");
        return { ok: true, result: true };
      default:
        // setMyCommands, deleteMyCommands, setWebhook, deleteWebhook, sendChatAction, and the rest.
        return { ok: true, result: true };
    }
  }

  /** The updates a getUpdates with this offset and limit would answer now; confirms those below offset. */
  function pending(offset: number, limit: number): Update[] {
    if (offset < 0) return queue.slice(Math.max(0, queue.length + offset)).slice(0, limit);
    // Asking from `offset` confirms every earlier update: Telegram forgets them.
    let drop = 0;
    while (drop < queue.length && queue[drop]!.update_id < offset) drop++;
    if (drop > 0) queue.splice(0, drop);
    return queue.slice(0, limit);
  }

  function endPoll(w: PollWaiter, updates: Update[]): void {
    clearTimeout(w.timer);
    polls.delete(w);
    reply(w.res, { ok: true, result: updates });
  }

  function getUpdates(p: TelegramParams, res: ServerResponse): void {
    const offset = Number(p.offset ?? 0) || 0;
    const limit = Math.min(100, Math.max(1, Number(p.limit ?? 100) || 100));
    const timeout = Math.max(0, Number(p.timeout ?? 0) || 0);
    // Telegram allows one getUpdates at a time: a newer one ends the one still waiting.
    for (const w of polls) {
      clearTimeout(w.timer);
      polls.delete(w);
      reply(w.res, { ok: false, failure: CONFLICT });
    }
    const now = pending(offset, limit);
    if (now.length > 0 || timeout === 0 || closed) return reply(res, { ok: true, result: now });
    const w: PollWaiter = {
      offset,
      limit,
      res,
      timer: setTimeout(() => endPoll(w, []), timeout * 1000),
    };
    polls.add(w);
    // grammY aborts its pending long poll on stop(): forget it then.
    res.once("close", () => {
      if (polls.delete(w)) clearTimeout(w.timer);
    });
  }

  function sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  }

  function parseBody(req: IncomingMessage, raw: string): { body: TelegramParams; rawBody?: string } {
    if (raw === "") return { body: {} };
    const type = req.headers["content-type"] ?? "";
    if (type.startsWith("application/x-www-form-urlencoded")) {
      return { body: Object.fromEntries(new URLSearchParams(raw)), rawBody: raw };
    }
    if (type.startsWith("multipart/")) return { body: {}, rawBody: raw };
    try {
      const parsed = JSON.parse(raw) as unknown;
      return { body: parsed && typeof parsed === "object" ? (parsed as TelegramParams) : {} };
    } catch {
      return { body: {}, rawBody: raw };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const at = Date.now();
    const match = /^\/bot([^/]+)\/(?:test\/)?([^/?]+)/.exec(req.url ?? "");
    if (!match) return reply(res, { ok: false, failure: { error_code: 404, description: "Not Found" } });
    const callToken = decodeURIComponent(match[1]!);
    const method = match[2]!;
    const { body, rawBody } = parseBody(req, raw);

    let outcome: Outcome | undefined;
    if (callToken !== token) outcome = { ok: false, failure: UNAUTHORIZED };
    else {
      const failure = takeFailure(method);
      if (failure) outcome = { ok: false, failure };
      else if (method !== "getUpdates") outcome = answer(method, body);
    }
    const entry: RecordedTelegramRequest = { method, token: callToken, body, failed: outcome ? !outcome.ok : false, at };
    if (rawBody !== undefined) entry.rawBody = rawBody;
    record(entry);

    if (delayMs > 0) await sleep(delayMs);
    if (outcome) return reply(res, outcome);
    getUpdates(body, res);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8");
      handle(req, res, raw).catch((error: unknown) =>
        reply(res, { ok: false, failure: { error_code: 500, description: `Internal Server Error: ${String(error)}` } }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    calls,
    sent() {
      return calls("sendMessage").map((b) => ({
        chat_id: b.chat_id as number | string,
        text: b.text as string,
        reply_markup: b.reply_markup === undefined ? undefined : asObject(b.reply_markup),
      }));
    },
    waitFor(method, count, timeoutMs = 5000) {
      if (countSucceeded(method) >= count) return Promise.resolve(calls(method));
      return new Promise<TelegramParams[]>((resolve, reject) => {
        const w: CountWaiter = {
          method,
          count,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        };
        const timer = setTimeout(() => {
          countWaiters.delete(w);
          const seen = requests.map((r) => (r.failed ? `${r.method}(failed)` : r.method));
          reject(
            new Error(
              `fake Telegram: expected ${count} successful ${method} call(s) within ${timeoutMs} ms, got ${countSucceeded(method)}; ` +
                `recorded: ${seen.length ? seen.join(", ") : "(nothing)"}`,
            ),
          );
        }, timeoutMs);
        countWaiters.add(w);
      });
    },
    pushUpdate(update) {
      const full = { ...update, update_id: update.update_id ?? nextUpdateId } as Update;
      nextUpdateId = Math.max(nextUpdateId, full.update_id + 1);
      queue.push(full);
      for (const w of polls) {
        const updates = pending(w.offset, w.limit);
        if (updates.length > 0) endPoll(w, updates);
      }
      return full;
    },
    failNext(method, n, failure) {
      if (n <= 0) return;
      const list = failures.get(method) ?? [];
      list.push({ left: n, failure });
      failures.set(method, list);
    },
    setDelay(ms) {
      delayMs = Math.max(0, ms);
    },
    reset() {
      requests.length = 0;
      failures.clear();
    },
    async close() {
      closed = true;
      for (const w of [...polls]) endPoll(w, []);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      // Keep-alive connections from grammY's agent would otherwise hold close() open.
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Update builders, for bot.handleUpdate(...) and fake.pushUpdate(...)

/** The user who writes to the bot unless a test says otherwise. */
export const FAKE_USER: User = { id: 42, is_bot: false, first_name: "An" };

let builderUpdateId = 1_000_000;
let builderMessageId = 1_000_000;
const FIXED_DATE = 1_700_000_000;

function userOf(id: number): User {
  return id === FAKE_USER.id ? FAKE_USER : { id, is_bot: false, first_name: "An" };
}

function chatFor(chatId: number, chatType: "private" | "group" | "supergroup", fromId: number): Record<string, unknown> {
  if (chatType === "private") return { id: chatId, type: "private", first_name: userOf(fromId).first_name };
  return { id: chatId, type: chatType, title: "Nhóm thử" };
}

export interface TextUpdateOptions {
  updateId?: number;
  chatId: number;
  text: string;
  /** Default "private" for a positive chat id, "group" for a negative one. */
  chatType?: "private" | "group" | "supergroup";
  /** The sender; default the chat id in a private chat, {@link FAKE_USER} in a group. */
  fromId?: number;
  entities?: MessageEntity[];
  /** Make the message a reply to this one; its sender defaults to the bot (replying to the bot). */
  replyTo?: { messageId: number; text?: string; from?: User };
}

/** A text message from a user, as Telegram delivers it. */
export function textUpdate(o: TextUpdateOptions): Update {
  const chatType = o.chatType ?? (o.chatId < 0 ? "group" : "private");
  const fromId = o.fromId ?? (chatType === "private" ? o.chatId : FAKE_USER.id);
  const chat = chatFor(o.chatId, chatType, fromId);
  const message: Record<string, unknown> = {
    message_id: builderMessageId++,
    date: FIXED_DATE,
    chat,
    from: userOf(fromId),
    text: o.text,
  };
  if (o.entities) message.entities = o.entities;
  if (o.replyTo) {
    const from = o.replyTo.from ?? { id: FAKE_BOT_INFO.id, is_bot: true, first_name: FAKE_BOT_INFO.first_name, username: FAKE_BOT_INFO.username };
    message.reply_to_message = { message_id: o.replyTo.messageId, date: FIXED_DATE, chat, from, text: o.replyTo.text ?? "..." };
  }
  return { update_id: o.updateId ?? builderUpdateId++, message } as unknown as Update;
}

export interface CallbackUpdateOptions {
  updateId?: number;
  chatId: number;
  /** The button's callback_data. */
  data: string;
  /** Who pressed the button; default the chat id in a private chat, {@link FAKE_USER} in a group. */
  fromId?: number;
  /** The bot's message carrying the keyboard. Default 1. */
  messageId?: number;
  /** That message's text. Default "...". */
  messageText?: string;
}

/** A press on an inline keyboard button of one of the bot's messages. */
export function callbackUpdate(o: CallbackUpdateOptions): Update {
  const chatType = o.chatId < 0 ? "group" : "private";
  const fromId = o.fromId ?? (chatType === "private" ? o.chatId : FAKE_USER.id);
  const updateId = o.updateId ?? builderUpdateId++;
  const botUser: User = { id: FAKE_BOT_INFO.id, is_bot: true, first_name: FAKE_BOT_INFO.first_name, username: FAKE_BOT_INFO.username };
  return {
    update_id: updateId,
    callback_query: {
      id: `cbq${updateId}`,
      from: userOf(fromId),
      chat_instance: `ci${o.chatId}`,
      data: o.data,
      message: {
        message_id: o.messageId ?? 1,
        date: FIXED_DATE,
        chat: chatFor(o.chatId, chatType, fromId),
        from: botUser,
        text: o.messageText ?? "...",
      },
    },
  } as unknown as Update;
}
