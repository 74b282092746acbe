import type { Message, Update, UserFromGetMe } from "grammy/types";
import { CommandAction } from "../../core/dialogue/messages.ts";

/**
 * Telegram updates as the core's inbound messages. Pure: no grammY runtime, only its types, so the
 * rules (which commands, when a group message is for us) are tested without a bot.
 */

/** The bot commands, registered with setMyCommands at start; Telegram allows [a-z0-9_], ≤ 32 chars. */
export const COMMANDS = {
  start: CommandAction.start,
  help: CommandAction.help,
  tra_cuu: CommandAction.lookup,
  huy: CommandAction.cancel,
} as const;
export type CommandName = keyof typeof COMMANDS;

/** What a message asks of the core, or why it is not for us. */
export type Translated =
  | { kind: "text"; text: string }
  | { kind: "action"; action: string }
  /** A photo, sticker, voice note…: the citizen is told politely that only text is read. */
  | { kind: "not_text" }
  /** Not for us: a group message not addressed to the bot, a command for another bot, a service message. */
  | { kind: "ignore" };

export type ChatKind = "private" | "group";

export function chatKind(type: string | undefined): ChatKind {
  return type === "private" ? "private" : "group";
}

/**
 * The chat id the core keys a conversation by. In a group every member has their own conversation
 * (one person's clarification must not be answered by another's number), so it is `<chat>:<user>`.
 */
export function conversationId(chat: { id: number; type: string }, fromId: number | undefined): string {
  return chat.type === "private" || fromId === undefined ? String(chat.id) : `${chat.id}:${fromId}`;
}

/** A command at the very start of the message: name (lower case), the bot it names if any, the rest. */
function leadingCommand(message: Message): { name: string; bot: string | null; rest: string } | null {
  const entity = message.entities?.[0];
  const text = message.text ?? "";
  if (!entity || entity.type !== "bot_command" || entity.offset !== 0) return null;
  const raw = text.slice(1, entity.length);
  const [name = "", bot = null] = raw.split("@") as [string, string | undefined];
  return { name: name.toLowerCase(), bot: bot ? bot.toLowerCase() : null, rest: text.slice(entity.length).trim() };
}

/** Whether a group message is addressed to the bot: a mention of it, or a reply to one of its messages. */
function addressedInGroup(message: Message, me: UserFromGetMe): boolean {
  if (message.reply_to_message?.from?.id === me.id) return true;
  const text = message.text ?? message.caption ?? "";
  const entities = message.entities ?? message.caption_entities ?? [];
  const username = me.username.toLowerCase();
  return entities.some(
    (e) =>
      (e.type === "mention" && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === username) ||
      (e.type === "text_mention" && e.user.id === me.id),
  );
}

/** The text without mentions of the bot (a group message "@tro_ly_bot lệ phí hộ chiếu"). */
function withoutMention(text: string, me: UserFromGetMe): string {
  const pattern = new RegExp(`@${me.username.replace(/[^A-Za-z0-9_]/g, "")}\\b`, "gi");
  return text.replace(pattern, " ").replace(/\s+/g, " ").trim();
}

/**
 * What a message update asks. `groups: "off"` ignores every group message; "addressed" takes commands
 * (unqualified or naming this bot), mentions of the bot and replies to its messages.
 */
export function translateMessage(message: Message, me: UserFromGetMe, groups: "addressed" | "off"): Translated {
  const kind = chatKind(message.chat.type);
  if (kind === "group" && groups === "off") return { kind: "ignore" };
  if (message.from?.is_bot) return { kind: "ignore" };

  if (typeof message.text !== "string") {
    // Service messages (members joining, pinned…) carry none of these; only real content gets a reply.
    const content = message.photo ?? message.sticker ?? message.voice ?? message.audio ?? message.video ?? message.video_note ?? message.document ?? message.location ?? message.contact ?? message.animation;
    if (!content) return { kind: "ignore" };
    return kind === "private" || addressedInGroup(message, me) ? { kind: "not_text" } : { kind: "ignore" };
  }

  const command = leadingCommand(message);
  if (command) {
    if (command.bot !== null && command.bot !== me.username.toLowerCase()) return { kind: "ignore" };
    if (command.name === "tra_cuu" && command.rest) return { kind: "text", text: `tra cứu hồ sơ ${command.rest}`.normalize("NFC") };
    const action = (COMMANDS as Record<string, string>)[command.name];
    // An unknown command (/menu, a typo) gets the help text rather than silence.
    return { kind: "action", action: action ?? CommandAction.help };
  }
  if (kind === "group" && !addressedInGroup(message, me)) return { kind: "ignore" };
  const text = kind === "group" ? withoutMention(message.text, me) : message.text;
  if (text.trim() === "") return { kind: "action", action: CommandAction.help };
  // Telegram caps text at 4,096 characters, under the core's own limit (which it enforces itself).
  return { kind: "text", text: text.normalize("NFC") };
}

/** The update id as the dedupe key; null when the update is not one Telegram could have sent. */
export function updateKey(update: Partial<Update> | null | undefined): string | null {
  const id = update?.update_id;
  return typeof id === "number" && Number.isSafeInteger(id) && id >= 0 ? String(id) : null;
}
