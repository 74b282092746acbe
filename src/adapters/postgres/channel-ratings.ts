import type pg from "pg";
import type { RatingFeedback } from "../../core/ports.ts";

/** `channel_ratings`: ratings given through a channel's own form, once per dossier. */
export function createChannelRatings(pool: pg.Pool): RatingFeedback {
  return {
    async record(r) {
      const result = await pool.query(
        `insert into channel_ratings (dossier_code, channel, chat_id, stars, note, feedbacks, submitted_at)
         values ($1, $2, $3, $4, $5, $6::jsonb, $7) on conflict (dossier_code) do nothing`,
        [r.dossierCode, r.channel, r.chatId, r.stars, r.note, JSON.stringify(r.feedbacks), r.submittedAt],
      );
      return result.rowCount === 1 ? "recorded" : "already_rated";
    },
  };
}
