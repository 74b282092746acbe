import type pg from "pg";
import type { ConversationState, ConversationStore } from "../../core/ports.ts";

/** Conversations older than this are forgotten (a new question starts afresh). */
const TTL_HOURS = 24;

/** Every turn loads and most save: named statements, parsed and planned once per connection. */
export function createConversationStore(pool: pg.Pool): ConversationStore {
  return {
    async load(channel, chatId) {
      const r = await pool.query<{ state: ConversationState; version: number; fresh: boolean }>({
        name: "conversation-load",
        text: `select state, version, updated_at > now() - make_interval(hours => $3) as fresh
               from conversations where channel = $1 and chat_id = $2`,
        values: [channel, chatId, TTL_HOURS],
      });
      const row = r.rows[0];
      if (!row) return { state: {}, version: 0 };
      return { state: row.fresh ? row.state : {}, version: row.version };
    },
    async save(channel, chatId, state, version) {
      const r = await pool.query({
        name: "conversation-save",
        text: `insert into conversations (channel, chat_id, state, version) values ($1, $2, $3, 1)
               on conflict (channel, chat_id) do update set state = excluded.state, version = conversations.version + 1, updated_at = now()
               where conversations.version = $4`,
        values: [channel, chatId, JSON.stringify(state), version],
      });
      return (r.rowCount ?? 0) > 0;
    },
  };
}
