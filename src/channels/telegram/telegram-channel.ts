import { autoRetry } from "@grammyjs/auto-retry";
import { limit } from "@grammyjs/ratelimiter";
import { run, sequentialize, type RunnerHandle } from "@grammyjs/runner";
import { Bot, GrammyError, webhookCallback, type Api, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Assistant, Reply } from "../../core/dialogue/messages.ts";
import { UndeliverableError, type ChannelLogger, type InboundDedupe, type NotificationSender } from "../../core/ports.ts";
import { chatKind, COMMANDS, conversationId, translateMessage, updateKey, type CommandName, type Translated } from "./inbound.ts";
import { isCallbackData, renderReplies } from "./render.ts";

/** Texts the channel says itself (from prompts/replies.vi.json), Vietnamese. */
export interface TelegramTexts {
  unavailable: string;
  staleChoice: string;
  textOnly: string;
  tooFast: string;
  /** Descriptions shown in Telegram's command menu. */
  commands: Record<CommandName, string>;
}

export interface TelegramChannelOptions {
  token: string;
  assistant: Assistant;
  dedupe: InboundDedupe;
  log: ChannelLogger;
  texts: TelegramTexts;
  /** Group chats: answer only when addressed (default), or never. */
  groups?: "addressed" | "off";
  /** Messages one person may send per window before being asked to slow down (default 10 per 10 s). */
  flood?: { limit: number; windowMs: number };
  /** auto-retry: attempts for 429/5xx/network errors, and the longest `retry_after` worth waiting. */
  retry?: { maxAttempts: number; maxDelaySeconds: number };
  /** Bot API server (default https://api.telegram.org; a local Bot API server or a test fake). */
  apiRoot?: string;
  /** Known bot identity: skips getMe (tests and the benchmark). */
  botInfo?: UserFromGetMe;
}

export interface TelegramChannel {
  /** Checks the token with getMe and registers the command menu. Throws TelegramStartError when refused. */
  init(): Promise<UserFromGetMe>;
  /** Long polling (concurrent across chats, sequential within one); deletes any webhook first. */
  startPolling(): Promise<void>;
  /** Registers `url` with Telegram, with `secret` as the secret token Telegram sends back. */
  setWebhook(url: string, secret: string): Promise<void>;
  /** The HTTP handler for the webhook route (Fastify); answers 401 when the secret token is wrong. */
  webhookHandler(secret: string): (request: unknown, reply: unknown) => Promise<unknown>;
  /** Sends status notifications (and later rating requests) to private chats. */
  sender: NotificationSender;
  /** Stops polling and waits for updates in progress. */
  stop(): Promise<void>;
}

/** Start-up failed in a way the deployer must fix (wrong token, refused webhook URL). */
export class TelegramStartError extends Error {
  override name = "TelegramStartError";
}

type Turn = Exclude<Translated, { kind: "ignore" }>;
type TelegramContext = Context & { turn?: Turn };

const ALLOWED_UPDATES = ["message", "callback_query"] as const;

/**
 * The Telegram channel: grammY's only home. Translates updates into the core's inbound messages and
 * the core's replies into Telegram messages; every rule of what to answer lives in the core.
 *
 * Middleware order: error boundary → well-formed update → dedupe by update_id (Postgres) → translate
 * (commands, groups) → flood limit per person → one chat at a time → the assistant.
 */
export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  const { assistant, dedupe, log, texts } = options;
  const groups = options.groups ?? "addressed";
  const flood = options.flood ?? { limit: 10, windowMs: 10_000 };
  const bot = new Bot<TelegramContext>(options.token, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: { ...(options.apiRoot ? { apiRoot: options.apiRoot } : {}), timeoutSeconds: 30 },
  });
  bot.api.config.use(
    autoRetry({ maxRetryAttempts: options.retry?.maxAttempts ?? 3, maxDelaySeconds: options.retry?.maxDelaySeconds ?? 30 }),
  );
  let runner: RunnerHandle | null = null;

  // One error boundary: the failure is logged with the update id, the citizen gets a kind reply.
  bot.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      log.error({ update: ctx.update.update_id, err: describe(error) }, "telegram: update failed");
      // Apologise only where an answer was owed: not to group chatter the bot was never asked about.
      const owed = ctx.callbackQuery !== undefined || (ctx.message !== undefined && translateMessage(ctx.message, ctx.me, groups).kind !== "ignore");
      if (!owed) return;
      try {
        if (ctx.callbackQuery) await ctx.answerCallbackQuery().catch(() => undefined);
        if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, texts.unavailable);
      } catch (replyError) {
        log.warn({ update: ctx.update.update_id, err: describe(replyError) }, "telegram: could not send the apology either");
      }
    }
  });

  // Only what Telegram could have sent goes on; an update without an id is logged and dropped.
  bot.use(async (ctx, next) => {
    const key = updateKey(ctx.update);
    if (key === null) {
      log.warn({ keys: Object.keys(ctx.update ?? {}).slice(0, 5) }, "telegram: malformed update ignored");
      return;
    }
    if (!(await dedupe.firstSeen("telegram", key))) {
      log.info({ update: key }, "telegram: duplicate update ignored");
      return;
    }
    await next();
  });

  bot.use(async (ctx, next) => {
    const message = ctx.message;
    if (message) {
      const turn = translateMessage(message, ctx.me, groups);
      if (turn.kind === "ignore") return;
      ctx.turn = turn;
    } else if (!ctx.callbackQuery) {
      return; // edited messages, member updates…: nothing to answer
    }
    await next();
  });

  bot.use(
    limit<TelegramContext, never>({
      timeFrame: flood.windowMs,
      limit: flood.limit,
      keyGenerator: (ctx) => (ctx.from ? String(ctx.from.id) : undefined),
      // Called once per window in which the person went over the limit; later messages are dropped quietly.
      onLimitExceeded: async (ctx) => {
        log.warn({ update: ctx.update.update_id }, "telegram: flood limit reached; messages dropped for this window");
        try {
          if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: clipAlert(texts.tooFast) });
          else if (ctx.chat) await ctx.api.sendMessage(ctx.chat.id, texts.tooFast);
        } catch (error) {
          log.warn({ update: ctx.update.update_id, err: describe(error) }, "telegram: could not send the flood notice");
        }
      },
    }),
  );

  // One update at a time per chat: a citizen's second message waits for the answer to the first.
  bot.use(sequentialize<TelegramContext>((ctx) => (ctx.chat ? String(ctx.chat.id) : ctx.from ? `u${ctx.from.id}` : undefined)));

  bot.on("callback_query", async (ctx) => {
    const data = ctx.callbackQuery.data;
    const chat = ctx.callbackQuery.message?.chat;
    // Not a payload the core could have made (forged, or from an old version): a polite toast, nothing else.
    if (typeof data !== "string" || !isCallbackData(data) || !chat) {
      await ctx.answerCallbackQuery({ text: clipAlert(texts.staleChoice) });
      return;
    }
    await ctx.answerCallbackQuery(); // stops the button's spinner before the answer is composed
    const { replies } = await assistant.handle({
      channel: "telegram",
      chatId: conversationId(chat, ctx.from.id),
      context: chatKind(chat.type),
      action: data,
      receivedAt: new Date(),
    });
    await deliver(ctx.api, chat.id, replies);
  });

  bot.on("message", async (ctx) => {
    const turn = ctx.turn;
    if (!turn) return;
    const chat = ctx.message.chat;
    const inGroup = chatKind(chat.type) === "group";
    // In a group the answer quotes the question, so everyone sees whom it answers.
    const replyTo = inGroup ? ctx.message.message_id : undefined;
    if (turn.kind === "not_text") {
      await deliver(ctx.api, chat.id, [{ text: texts.textOnly }], replyTo);
      return;
    }
    const { replies } = await assistant.handle({
      channel: "telegram",
      chatId: conversationId(chat, ctx.from?.id),
      context: chatKind(chat.type),
      ...(turn.kind === "text" ? { text: turn.text } : { action: turn.action }),
      receivedAt: new Date(ctx.message.date * 1000),
    });
    await deliver(ctx.api, chat.id, replies, replyTo);
  });

  /** Sends the rendered replies in order; a keyboard Telegram refuses is dropped and the link written out. */
  async function deliver(api: Api, chatId: number, replies: Reply[], replyTo?: number): Promise<void> {
    for (const m of renderReplies(replies)) {
      const common = {
        link_preview_options: { is_disabled: true },
        ...(replyTo !== undefined ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } } : {}),
      };
      try {
        await api.sendMessage(chatId, m.text, m.keyboard ? { ...common, reply_markup: { inline_keyboard: m.keyboard } } : common);
      } catch (error) {
        if (!(m.plain && error instanceof GrammyError && error.error_code === 400 && /button|url|markup|keyboard/i.test(error.description))) throw error;
        log.warn({ err: describe(error) }, "telegram: keyboard refused; sent as plain text");
        await api.sendMessage(chatId, m.plain, common);
      }
    }
  }

  const sender: NotificationSender = {
    channel: "telegram",
    async send(chatId, replies) {
      // Subscriptions are made in private chats only, whose id is the user's numeric id.
      if (!/^\d{1,19}$/.test(chatId)) throw new UndeliverableError("telegram:bad_chat_id", "not a private chat id");
      try {
        await deliver(bot.api, Number(chatId), replies);
      } catch (error) {
        // Blocked, deleted or never-started chats will not come back by retrying.
        if (error instanceof GrammyError && (error.error_code === 403 || (error.error_code === 400 && /chat not found|user not found|deactivated/i.test(error.description)))) {
          throw new UndeliverableError(`telegram:${error.error_code}`, error.description);
        }
        throw error;
      }
    },
  };

  return {
    async init() {
      try {
        await bot.init();
        await bot.api.setMyCommands(
          (Object.keys(COMMANDS) as CommandName[]).map((command) => ({ command, description: texts.commands[command] })),
        );
      } catch (error) {
        if (error instanceof GrammyError && (error.error_code === 401 || error.error_code === 404)) {
          throw new TelegramStartError(
            `Telegram refused TELEGRAM_BOT_TOKEN (${error.error_code} ${error.description}). Copy the token again from @BotFather (/mybots → API Token).`,
          );
        }
        throw error;
      }
      return bot.botInfo;
    },

    async startPolling() {
      await bot.api.deleteWebhook();
      runner = run(bot, { runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES] } } });
      log.info({ bot: bot.botInfo.username }, "telegram: long polling started");
    },

    async setWebhook(url, secret) {
      try {
        await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES] });
      } catch (error) {
        if (error instanceof GrammyError && error.error_code === 400) {
          throw new TelegramStartError(`Telegram refused TELEGRAM_WEBHOOK_URL ${url}: ${error.description}. It must be a public https URL.`);
        }
        throw error;
      }
      log.info({ bot: bot.botInfo.username, url }, "telegram: webhook registered");
    },

    webhookHandler(secret) {
      // Answer Telegram within its patience even if an answer is slow; the update finishes in the background.
      return webhookCallback(bot, "fastify", { secretToken: secret, onTimeout: "return", timeoutMilliseconds: 9_000 }) as (
        request: unknown,
        reply: unknown,
      ) => Promise<unknown>;
    },

    sender,

    async stop() {
      if (runner?.isRunning()) await runner.stop();
      runner = null;
    },
  };
}

/** Callback-query alerts are limited to 200 characters. */
function clipAlert(text: string): string {
  return text.length <= 200 ? text : `${text.slice(0, 199)}…`;
}

/** An error for the log: its class, Telegram's code and description, never the request (it holds the token). */
function describe(error: unknown): object {
  if (error instanceof GrammyError) return { type: "GrammyError", code: error.error_code, message: error.description, method: error.method };
  if (error instanceof Error) return { type: error.name, message: error.message };
  return { message: String(error) };
}
