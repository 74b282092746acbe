import type pg from "pg";
import type { EventInbox, SentTemplates } from "../../core/ports.ts";
import { maskError } from "./job-queue.ts";

/** Handled events are kept this long (Zalo re-delivers for up to 12 h), then swept. */
const KEEP_MS = 3 * 24 * 60 * 60 * 1000;
const SWEEP_EVERY = 1000;

/**
 * `channel_inbox`: one insert both persists a verified event and deduplicates it (unique per channel and
 * event key), so the webhook answers after a single statement.
 */
export function createEventInbox(pool: pg.Pool, options: { now?: () => number } = {}): EventInbox {
  const now = options.now ?? Date.now;
  let calls = 0;
  return {
    async put(channel, key, body) {
      const r = await pool.query<{ id: string }>({
        name: "channel-inbox-put",
        text: "insert into channel_inbox (channel, event_key, body) values ($1, $2, $3) on conflict do nothing returning id",
        values: [channel, key, body],
      });
      if (++calls % SWEEP_EVERY === 0) {
        await pool.query("delete from channel_inbox where processed_at is not null and received_at < to_timestamp($1::double precision / 1000)", [
          now() - KEEP_MS,
        ]);
      }
      return r.rows[0]?.id ?? null;
    },
    async done(id, error) {
      await pool.query({
        name: "channel-inbox-done",
        text: "update channel_inbox set processed_at = now(), attempts = attempts + 1, last_error = $2 where id = $1",
        values: [id, error === undefined ? null : maskError(error)],
      });
    },
    async pending(channel, olderThanMs, limit) {
      const { rows } = await pool.query<{ id: string; body: string }>(
        `select id, body from channel_inbox
         where channel = $1 and processed_at is null and received_at < now() - make_interval(secs => $2::double precision / 1000)
         order by id limit $3`,
        [channel, olderThanMs, limit],
      );
      return rows;
    },
  };
}

/** `zalo_template_messages`: which dossier a template message was about. */
export function createSentTemplates(pool: pg.Pool): SentTemplates {
  return {
    async remember({ msgId, dossierCode, userId, purpose }) {
      await pool.query(
        "insert into zalo_template_messages (msg_id, dossier_code, user_id, purpose) values ($1, $2, $3, $4) on conflict (msg_id) do nothing",
        [msgId, dossierCode, userId, purpose],
      );
    },
    async find(msgId) {
      const { rows } = await pool.query<{ dossier_code: string; user_id: string | null; purpose: string }>(
        "select dossier_code, user_id, purpose from zalo_template_messages where msg_id = $1",
        [msgId],
      );
      const r = rows[0];
      return r ? { dossierCode: r.dossier_code, userId: r.user_id, purpose: r.purpose } : null;
    },
  };
}
