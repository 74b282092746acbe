import { z } from "zod";

/** Channels the core talks to; each renders replies within its own limits. */
export const channels = ["web", "cli", "telegram", "zalo", "eval"] as const;
export type Channel = (typeof channels)[number];

/** Longest text accepted from any channel; longer input is cut before the core reads it. */
export const MAX_INBOUND_CHARS = 10_000;

/** A button's payload: short ASCII, so it fits Telegram's 64-byte callback data and Zalo payloads. */
export const ActionPayload = z.string().regex(/^[a-z]{1,8}:[A-Za-z0-9.:_-]{1,54}$/, "not a known action");

/** What a channel hands the core: a text the citizen typed, or the payload of a button they tapped. */
export const InboundMessage = z
  .object({
    channel: z.enum(channels),
    chatId: z.string().min(1).max(128),
    text: z.string().max(MAX_INBOUND_CHARS).optional(),
    action: ActionPayload.optional(),
    /** Where the message was written: a group chat is read by others, so nothing personal is shown there. */
    context: z.enum(["private", "group"]).optional(),
    receivedAt: z.date(),
  })
  .refine((m) => m.text !== undefined || m.action !== undefined, { message: "needs text or action" });
export type InboundMessage = z.infer<typeof InboundMessage>;

/**
 * Actions a channel sends for its own commands (Telegram's /start, /help, /tra_cuu, /huy; menu buttons
 * elsewhere): what each does is the core's business, not the channel's.
 */
export const CommandAction = {
  start: "cmd:start",
  help: "cmd:help",
  lookup: "cmd:lookup",
  cancel: "cmd:cancel",
} as const;

/** A choice offered to the citizen: `id` is the action payload sent back when tapped. */
export interface Choice {
  id: string;
  label: string;
}

/** A channel-neutral reply. Text is plain (no markup); channels escape and split it as they need. */
export interface Reply {
  text: string;
  choices?: Choice[];
  link?: { url: string; label: string };
}

/** The assistant as every channel sees it. */
export interface Assistant {
  handle(message: InboundMessage): Promise<{ replies: Reply[] }>;
}
