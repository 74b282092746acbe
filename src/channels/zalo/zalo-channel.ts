import type { Assistant, Reply } from "../../core/dialogue/messages.ts";
import { maskPersonalNumbers } from "../../core/privacy.ts";
import {
  DeferredError,
  UndeliverableError,
  type ChannelLogger,
  type EventInbox,
  type NotificationAbout,
  type NotificationSender,
  type RatingFeedback,
  type SentTemplates,
} from "../../core/ports.ts";
import { ZaloApiError, type ZaloClient } from "./client.ts";
import { eventKey, translateEvent, verifySignature, type SignatureVariant, type ZaloEvent } from "./inbound.ts";
import { renderReplies } from "./render.ts";
import { ZaloAuthError, type ZaloTokens } from "./tokens.ts";
import { KeyedQueue } from "./keyed-queue.ts";

/** Texts the channel says itself (from prompts/replies.vi.json), Vietnamese. */
export interface ZaloTexts {
  unavailable: string;
  textOnly: string;
}

/**
 * What to do with a proactive message (status notification, rating request) when the citizen's free
 * replies are spent or their 7-day window is closed: hold it until they write again (free), or spend a
 * paid message (a CS message while the window is open, the configured template after).
 */
export type OutsideWindow = "hold" | "template";

export interface ZaloChannelOptions {
  client: ZaloClient;
  tokens: ZaloTokens;
  assistant: Assistant;
  inbox: EventInbox;
  sentTemplates: SentTemplates;
  ratings: RatingFeedback;
  log: ChannelLogger;
  texts: ZaloTexts;
  /** Signature variants to accept (inbound.ts `signatureVariants`). */
  signatures: SignatureVariant[];
  outsideWindow: OutsideWindow;
  /** Approved template ids (Zalo "ZBS Template Message"); unset → the message is held instead. */
  templates: { status?: string | undefined; rating?: string | undefined };
  /** A status's name for a template's `trang_thai` parameter. */
  statusName(status: number | null): string;
  /** The citizen wrote: release notifications held for them. */
  onActive?: (userId: string) => Promise<void>;
  /** Events processed at once (different citizens; one citizen's events run in order). Default 4. */
  workers?: number;
  /** An event stored this long ago and never handled (a crash) is handled by the sweep. Default 30 s. */
  retryAfterMs?: number;
  sweepIntervalMs?: number;
}

export interface WebhookAnswer {
  status: number;
  body: { error: number; message: string };
}

export interface ZaloChannel {
  /** The webhook, HTTP-free: raw body and signature header in, status and body out. */
  receive(rawBody: Buffer, signature: string | undefined): Promise<WebhookAnswer>;
  sender: NotificationSender;
  /** Handles events stored but never handled; returns how many. The sweep timer calls it. */
  sweep(): Promise<number>;
  /** Starts the sweep timer. */
  start(): void;
  /** Resolves when every event in hand has been handled. For tests and shutdown. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const CHANNEL = "zalo";

/**
 * The Zalo OA channel. The webhook verifies the signature over the raw bytes (401 before anything is
 * parsed), stores the event (which deduplicates it), answers 200, and handles it in the background:
 * one citizen's events in order, several citizens at once. Replies go out as CS messages; proactive
 * messages check the citizen's window first (see OutsideWindow).
 */
export function createZaloChannel(options: ZaloChannelOptions): ZaloChannel {
  const { client, tokens, assistant, inbox, log, texts } = options;
  const queue = new KeyedQueue(options.workers ?? 4);
  const unknownSeen = new Set<string>();
  const variantsSeen = new Set<string>();
  let sweepTimer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function deliver(userId: string, replies: Reply[]): Promise<void> {
    for (const message of renderReplies(replies)) await client.sendCs(tokens, userId, message);
  }

  async function handle(event: ZaloEvent): Promise<void> {
    switch (event.kind) {
      case "text":
      case "action":
      case "follow": {
        const { replies } = await assistant.handle({
          channel: CHANNEL,
          chatId: event.userId,
          context: "private",
          ...(event.kind === "text" ? { text: event.text } : { action: event.kind === "action" ? event.action : "cmd:start" }),
          receivedAt: event.at,
        });
        await deliver(event.userId, replies);
        await options.onActive?.(event.userId);
        return;
      }
      case "not_text":
        await deliver(event.userId, [{ text: texts.textOnly }]);
        await options.onActive?.(event.userId);
        return;
      case "feedback": {
        const sent = await options.sentTemplates.find(event.msgId);
        if (!sent) {
          log.warn({ msgId: event.msgId }, "zalo: rating for a template message this system did not send; ignored");
          return;
        }
        const result = await options.ratings.record({
          dossierCode: sent.dossierCode,
          channel: CHANNEL,
          chatId: sent.userId,
          stars: event.stars,
          note: event.note,
          feedbacks: event.feedbacks,
          submittedAt: event.at,
        });
        log.info({ dossier: sent.dossierCode, stars: event.stars, result }, "zalo: rating received through the template");
        return;
      }
      case "quiet":
        return;
      case "unknown":
        if (!unknownSeen.has(event.name)) {
          unknownSeen.add(event.name);
          log.info({ event: event.name }, "zalo: event not handled; ignored (logged once per name)");
        }
        return;
      case "malformed":
        log.warn({ event: event.name, problem: event.problem }, "zalo: malformed event ignored");
        return;
    }
  }

  /** Handles one stored event; a failure is logged, apologised for where an answer was owed, and recorded. */
  async function process(id: string, body: unknown): Promise<void> {
    const event = translateEvent(body);
    try {
      await handle(event);
      await inbox.done(id);
    } catch (error) {
      log.error({ inbox: id, event: event.kind, err: describe(error) }, "zalo: event failed");
      if (event.kind === "text" || event.kind === "action" || event.kind === "follow") {
        await client.sendCs(tokens, event.userId, { text: texts.unavailable }).catch((e: unknown) => {
          log.warn({ inbox: id, err: describe(e) }, "zalo: could not send the apology either");
        });
      }
      await inbox.done(id, describe(error).message).catch(() => undefined); // a database outage: the sweep retries
    }
  }

  /** Ids handed to the queue and not yet handled: the sweep must not hand them over twice. */
  const inHand = new Set<string>();
  function schedule(id: string, body: unknown): void {
    if (inHand.has(id)) return;
    inHand.add(id);
    void queue.run(userOf(body) ?? `event:${id}`, () => process(id, body)).finally(() => inHand.delete(id));
  }

  async function sendOutsideWindow(userId: string, replies: Reply[], about: NotificationAbout | undefined, why: "paid" | "closed"): Promise<void> {
    const what = about?.kind === "rating" || about?.kind === "reminder" ? "rating" : "status";
    if (options.outsideWindow === "hold") {
      log.info({ user: userId, dossier: about?.dossierCode, window: why }, `zalo: ${what} message held until the citizen writes again (ZALO_OUTSIDE_WINDOW=hold)`);
      throw new DeferredError(`zalo:window_${why}`, "outside the free window; held");
    }
    if (why === "paid") {
      log.info({ user: userId, dossier: about?.dossierCode }, `zalo: ${what} message sent as a paid CS message (free replies spent; ZALO_OUTSIDE_WINDOW=template)`);
      await deliver(userId, replies);
      return;
    }
    const templateId = what === "rating" ? options.templates.rating : options.templates.status;
    if (!templateId || !about) {
      log.info({ user: userId, dossier: about?.dossierCode }, `zalo: window closed and no ${what} template configured; held until the citizen writes again`);
      throw new DeferredError("zalo:window_closed", "window closed, no template; held");
    }
    const data: Record<string, string> =
      what === "rating" ? { ma_ho_so: about.dossierCode } : { ma_ho_so: about.dossierCode, trang_thai: options.statusName(about.status) };
    const { msgId } = await client.sendTemplate(tokens, userId, templateId, data);
    await options.sentTemplates.remember({ msgId, dossierCode: about.dossierCode, userId, purpose: what });
    log.info({ user: userId, dossier: about.dossierCode, template: templateId }, `zalo: window closed; ${what} sent as a template message (paid)`);
  }

  const sender: NotificationSender = {
    channel: CHANNEL,
    async send(userId, replies, about) {
      if (!/^\d{1,30}$/.test(userId)) throw new UndeliverableError("zalo:bad_user_id", "not a Zalo user id");
      try {
        const { window } = await client.window(tokens, userId);
        if (window !== "open") return await sendOutsideWindow(userId, replies, about, window);
        try {
          await deliver(userId, replies);
        } catch (error) {
          // The quota said open but the send says closed (the window ended in between): same rule.
          if (error instanceof ZaloApiError && error.kind === "window") return await sendOutsideWindow(userId, replies, about, "closed");
          throw error;
        }
      } catch (error) {
        if (error instanceof ZaloApiError && error.kind === "rejected") throw new UndeliverableError(`zalo:${error.code}`, error.message);
        throw error;
      }
    },
  };

  return {
    async receive(rawBody, signature) {
      const variant = verifySignature(rawBody, signature, options.signatures);
      if (!variant) {
        log.warn({ signature: signature === undefined ? "missing" : "wrong" }, "zalo: webhook refused: bad signature");
        return { status: 401, body: { error: 401, message: "invalid signature" } };
      }
      if (!variantsSeen.has(variant.name)) {
        variantsSeen.add(variant.name);
        log.info({ variant: variant.name }, "zalo: webhook signature verified (this variant matched)");
      }
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString("utf8"));
      } catch {
        return { status: 400, body: { error: 400, message: "body is not JSON" } };
      }
      const key = eventKey(body);
      if (!key) {
        log.warn({}, "zalo: signed body without event_name; ignored");
        return { status: 200, body: { error: 0, message: "ignored" } };
      }
      const id = await inbox.put(CHANNEL, key, rawBody.toString("utf8"));
      if (id === null) {
        log.info({ key }, "zalo: duplicate event ignored");
        return { status: 200, body: { error: 0, message: "duplicate" } };
      }
      if (!stopped) schedule(id, body);
      return { status: 200, body: { error: 0, message: "ok" } };
    },

    sender,

    sweep,

    start() {
      const every = options.sweepIntervalMs ?? 15_000;
      sweepTimer = setInterval(() => {
        sweep().catch((error: unknown) => log.warn({ err: describe(error) }, "zalo: inbox sweep failed; next time"));
      }, every);
      sweepTimer.unref();
    },

    idle: () => queue.idle(),

    async stop() {
      stopped = true;
      if (sweepTimer) clearInterval(sweepTimer);
      await queue.idle();
    },
  };

  /** Hands over events stored but never handled (a crash, a database outage mid-way). */
  async function sweep(): Promise<number> {
    const rows = await inbox.pending(CHANNEL, options.retryAfterMs ?? 30_000, 100);
    for (const row of rows) {
      let body: unknown = null;
      try {
        body = JSON.parse(row.body);
      } catch {
        // stored bodies were parsed before storing; null is handled as malformed
      }
      schedule(row.id, body);
    }
    return rows.length;
  }
}

function userOf(body: unknown): string | null {
  const b = body as { sender?: { id?: unknown }; follower?: { id?: unknown } } | null;
  const id = b?.sender?.id ?? b?.follower?.id;
  return typeof id === "string" ? `user:${id}` : null;
}

/** An error for the log: class, Zalo's code, message masked (never a token). */
function describe(error: unknown): { type: string; message: string; code?: number } {
  if (error instanceof ZaloApiError) return { type: error.name, code: error.code, message: `${error.family} ${error.kind}: ${maskPersonalNumbers(error.message)}` };
  if (error instanceof ZaloAuthError) return { type: error.name, message: error.message };
  if (error instanceof Error) return { type: error.name, message: maskPersonalNumbers(error.message).slice(0, 300) };
  return { type: "unknown", message: maskPersonalNumbers(String(error)).slice(0, 300) };
}
