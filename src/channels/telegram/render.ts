import type { InlineKeyboardButton } from "grammy/types";
import { ActionPayload, type Reply } from "../../core/dialogue/messages.ts";
import { splitText } from "../../core/text/split.ts";

/** Telegram's limit on a message's text (UTF-16 code units). */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit on a button's callback data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
/** Button labels are shown on one line; longer ones are cut (Telegram has no hard limit, phones do). */
const LABEL_LIMIT = 64;

/** One sendMessage: plain text (no parse mode, so nothing needs escaping) and an optional keyboard. */
export interface OutgoingMessage {
  text: string;
  keyboard?: InlineKeyboardButton[][];
  /** With a keyboard: the text to send instead if Telegram refuses the keyboard (link written out). */
  plain?: string;
}

/** Whether a payload can be a button's callback data: the core's action alphabet, ASCII, ≤ 64 bytes. */
export function isCallbackData(id: string): boolean {
  return ActionPayload.safeParse(id).success && Buffer.byteLength(id, "utf8") <= CALLBACK_DATA_LIMIT;
}

/** Whether Telegram will accept a URL button: absolute http(s) only. */
function isButtonUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:";
  } catch {
    return false;
  }
}

function label(text: string): string {
  return text.length <= LABEL_LIMIT ? text : `${text.slice(0, LABEL_LIMIT - 1).replace(/\s+\S*$/, "")}…`;
}

/**
 * The core's replies as Telegram messages: each reply's text split under 4,096 characters at section
 * boundaries; its choices as one button per row (names are long) and its link as a URL button, on the
 * reply's last message. Plain text: Telegram links URLs itself.
 */
export function renderReplies(replies: Reply[]): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (const reply of replies) {
    const parts = splitText(reply.text, MESSAGE_LIMIT);
    if (parts.length === 0) parts.push("…");
    const rows: InlineKeyboardButton[][] = [];
    for (const choice of reply.choices ?? []) {
      if (isCallbackData(choice.id)) rows.push([{ text: label(choice.label), callback_data: choice.id }]);
    }
    if (reply.link && isButtonUrl(reply.link.url)) rows.push([{ text: label(reply.link.label), url: reply.link.url }]);
    parts.forEach((text, i) => {
      if (i < parts.length - 1 || rows.length === 0) return out.push({ text });
      const link = reply.link ? `\n\n${reply.link.label}: ${reply.link.url}` : "";
      out.push({ text, keyboard: rows, plain: text.length + link.length <= MESSAGE_LIMIT ? text + link : text });
    });
  }
  return out;
}
