import type pg from "pg";
import type { Reply } from "../../core/dialogue/messages.ts";
import type { NotificationSender } from "../../core/ports.ts";

/** Replies pushed to web chat sessions outside a turn; the chat page polls for them. */
export interface WebInbox {
  push(sessionId: string, replies: Reply[]): Promise<void>;
  /** The undelivered pushes of one session, oldest first, each marked delivered (so taken once). */
  take(sessionId: string): Promise<Reply[][]>;
  /** The web channel's NotificationSender: the chat id of the web channel is the session id. */
  readonly sender: NotificationSender;
}

export function createWebInbox(pool: pg.Pool): WebInbox {
  const inbox: WebInbox = {
    async push(sessionId, replies) {
      await pool.query("insert into web_inbox (session_id, replies) values ($1, $2::jsonb)", [sessionId, JSON.stringify(replies)]);
    },
    async take(sessionId) {
      // One statement: two polls at once (two tabs) each get different rows, never the same one twice.
      const { rows } = await pool.query<{ id: string; replies: Reply[] }>(
        `update web_inbox set delivered_at = now()
         where id in (select id from web_inbox where session_id = $1 and delivered_at is null
                      order by id limit 50 for update skip locked)
         returning id, replies`,
        [sessionId],
      );
      return rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.replies);
    },
    sender: {
      channel: "web",
      send: (chatId, replies) => inbox.push(chatId, replies),
    },
  };
  return inbox;
}
