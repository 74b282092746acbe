import type { Reply } from "../../core/dialogue/messages.ts";
import type { NotificationSender } from "../../core/ports.ts";

/** Replies as terminal text: choices numbered from 1, links on their own line. */
export function renderCliReplies(replies: Reply[]): { text: string; actions: string[] } {
  const actions: string[] = [];
  const parts = replies.map((r) => {
    const lines = [r.text];
    for (const c of r.choices ?? []) {
      actions.push(c.id);
      lines.push(`  [${actions.length}] ${c.label}`);
    }
    if (r.link) lines.push(`  ${r.link.label}: ${r.link.url}`);
    return lines.join("\n");
  });
  return { text: parts.join("\n\n"), actions };
}

/**
 * The CLI channel's NotificationSender (`npm run chat` with the worker in-process): prints pushed
 * replies with `write` (e.g. `(s) => process.stdout.write(s)`). Only the chat this terminal is for is
 * printed when `chatId` is given; other chats' notifications are skipped silently (a shared database
 * may hold subscriptions made from other terminals).
 */
export function createConsoleSender(write: (text: string) => void, options: { chatId?: string } = {}): NotificationSender {
  return {
    channel: "cli",
    async send(chatId, replies) {
      if (options.chatId !== undefined && chatId !== options.chatId) return;
      write(`\n[Thông báo] ${renderCliReplies(replies).text}\n`);
    },
  };
}
