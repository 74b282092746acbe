import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { ActionPayload, MAX_INBOUND_CHARS } from "../../core/dialogue/messages.ts";

/**
 * The webhook's inbound side, free of HTTP: the signature check over the raw body and the translation
 * of Zalo's events into what the channel does with them.
 */

/** One way of computing the signature: which id comes first and which key is appended (CHANNELS.md: uncertain). */
export interface SignatureVariant {
  name: string;
  id: string;
  key: string;
}

/** Every documented combination whose values are configured: app id or OA id, OA secret key or app secret. */
export function signatureVariants(s: { appId: string; oaId?: string | undefined; oaSecretKey?: string | undefined; appSecret: string }): SignatureVariant[] {
  const ids = [["app_id", s.appId], ["oa_id", s.oaId]] as const;
  const keys = [["oa_secret_key", s.oaSecretKey], ["app_secret", s.appSecret]] as const;
  const out: SignatureVariant[] = [];
  for (const [idName, id] of ids) for (const [keyName, key] of keys) if (id && key) out.push({ name: `${idName}+${keyName}`, id, key });
  return out;
}

// The timestamp is read from the raw bytes (no JSON parse before the signature is checked).
const TIMESTAMP = /"timestamp"\s*:\s*"?(\d{1,20})"?/;

/**
 * Checks `X-ZEvent-Signature: mac=<hex>`, hex = SHA-256(id + rawBody + timestamp + key), against each
 * variant in constant time. Returns the variant that matched, or null.
 */
export function verifySignature(rawBody: Buffer, header: string | undefined, variants: SignatureVariant[]): SignatureVariant | null {
  const m = /^\s*mac=([0-9a-fA-F]{64})\s*$/.exec(header ?? "");
  if (!m) return null;
  const timestamp = TIMESTAMP.exec(rawBody.toString("utf8"))?.[1];
  if (!timestamp) return null;
  const given = Buffer.from(m[1]!.toLowerCase(), "hex");
  let matched: SignatureVariant | null = null;
  for (const v of variants) {
    const expected = createHash("sha256").update(v.id).update(rawBody).update(timestamp).update(v.key).digest();
    // Every variant is computed and compared, so timing does not tell which one (or whether any) matched.
    if (timingSafeEqual(expected, given) && !matched) matched = v;
  }
  return matched;
}

/** The signature Zalo would send for `rawBody` (tests and the benchmark sign with it). */
export function signBody(rawBody: string | Buffer, id: string, key: string): string {
  const text = rawBody.toString();
  const timestamp = TIMESTAMP.exec(text)?.[1] ?? "";
  return `mac=${createHash("sha256").update(id).update(rawBody).update(timestamp).update(key).digest("hex")}`;
}

// --- events ---------------------------------------------------------------------------------------

const ZaloId = z.string().regex(/^\d{1,30}$/);
const Timestamp = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]).transform(String);

const Envelope = z.object({
  event_name: z.string().min(1).max(64).regex(/^[a-z0-9_.]+$/),
  timestamp: Timestamp,
  app_id: z.string().max(40).optional(),
});
const TextEvent = z.object({
  sender: z.object({ id: ZaloId }),
  message: z.object({ msg_id: z.string().min(1).max(128), text: z.string() }),
});
const AttachmentEvent = z.object({
  sender: z.object({ id: ZaloId }),
  message: z.object({ msg_id: z.string().min(1).max(128) }).passthrough(),
});
const FollowEvent = z.object({ follower: z.object({ id: ZaloId }) });
const FeedbackEvent = z.object({
  message: z.object({
    msg_id: z.string().min(1).max(128),
    rate: z.union([z.number(), z.string().regex(/^\d$/)]).transform(Number).pipe(z.number().int().min(1).max(5)),
    note: z.string().max(2000).optional().default(""),
    feedbacks: z.array(z.string().max(200)).max(20).optional().default([]),
    tracking_id: z.string().max(64).optional(),
    submit_time: Timestamp.optional(),
  }),
});

const ATTACHMENT_EVENTS = new Set([
  "user_send_image",
  "user_send_gif",
  "user_send_sticker",
  "user_send_file",
  "user_send_location",
  "user_send_link",
  "user_send_audio",
  "user_send_video",
  "user_send_business_card",
]);
/** Events that need no answer (known, deliberately ignored). */
const QUIET_EVENTS = new Set(["unfollow", "oa_send_text", "oa_send_image", "oa_send_list", "oa_send_gif", "oa_send_file", "user_seen_message", "user_received_message"]);

/** Button payloads are the core's actions behind a `#` (CHANNELS.md: buttons arrive as ordinary text). */
export const PAYLOAD_PREFIX = "#";

export type ZaloEvent =
  | { kind: "text"; userId: string; text: string; at: Date }
  | { kind: "action"; userId: string; action: string; at: Date }
  | { kind: "follow"; userId: string; at: Date }
  | { kind: "not_text"; userId: string; at: Date }
  | { kind: "feedback"; msgId: string; stars: number; note: string; feedbacks: string[]; at: Date }
  | { kind: "quiet"; name: string }
  | { kind: "unknown"; name: string }
  | { kind: "malformed"; name: string; problem: string };

/** The key a re-delivered event repeats: its msg_id, or name + user + timestamp for events without one. */
export function eventKey(body: unknown): string | null {
  const b = body as { event_name?: unknown; timestamp?: unknown; message?: { msg_id?: unknown }; sender?: { id?: unknown }; follower?: { id?: unknown }; user_id?: unknown };
  if (typeof b !== "object" || b === null || typeof b.event_name !== "string") return null;
  const msgId = b.message?.msg_id;
  if (typeof msgId === "string" && msgId.length > 0 && msgId.length <= 128) {
    return b.event_name === "user_feedback" ? `feedback:${msgId}` : `msg:${msgId}`;
  }
  const user = b.sender?.id ?? b.follower?.id ?? b.user_id ?? "";
  return `${b.event_name}:${String(user).slice(0, 40)}:${String(b.timestamp ?? "").slice(0, 20)}`.slice(0, 200);
}

/** Zalo's timestamps are milliseconds; one that is not plausible becomes "now". */
function when(ms: string, now: Date): Date {
  const n = Number(ms);
  return Number.isFinite(n) && n > 1_500_000_000_000 && n < now.getTime() + 86_400_000 ? new Date(n) : now;
}

/** Translates a parsed webhook body into what the channel does with it. Pure. */
export function translateEvent(body: unknown, now = new Date()): ZaloEvent {
  const envelope = Envelope.safeParse(body);
  if (!envelope.success) return { kind: "malformed", name: "?", problem: envelope.error.issues[0]?.message ?? "invalid" };
  const { event_name: name, timestamp } = envelope.data;
  const at = when(timestamp, now);
  const bad = (error: z.ZodError) => ({ kind: "malformed" as const, name, problem: `${error.issues[0]?.path.join(".")}: ${error.issues[0]?.message}` });

  if (name === "user_send_text") {
    const e = TextEvent.safeParse(body);
    if (!e.success) return bad(e.error);
    const text = e.data.message.text.normalize("NFC").slice(0, MAX_INBOUND_CHARS);
    const payload = text.startsWith(PAYLOAD_PREFIX) ? text.slice(PAYLOAD_PREFIX.length).trim() : null;
    if (payload !== null && ActionPayload.safeParse(payload).success) return { kind: "action", userId: e.data.sender.id, action: payload, at };
    return { kind: "text", userId: e.data.sender.id, text, at };
  }
  if (name === "follow") {
    const e = FollowEvent.safeParse(body);
    return e.success ? { kind: "follow", userId: e.data.follower.id, at } : bad(e.error);
  }
  if (ATTACHMENT_EVENTS.has(name)) {
    const e = AttachmentEvent.safeParse(body);
    return e.success ? { kind: "not_text", userId: e.data.sender.id, at } : bad(e.error);
  }
  if (name === "user_feedback") {
    const e = FeedbackEvent.safeParse(body);
    if (!e.success) return bad(e.error);
    const m = e.data.message;
    return { kind: "feedback", msgId: m.msg_id, stars: m.rate, note: m.note.normalize("NFC"), feedbacks: m.feedbacks, at: m.submit_time ? when(m.submit_time, now) : at };
  }
  if (QUIET_EVENTS.has(name)) return { kind: "quiet", name };
  return { kind: "unknown", name };
}
