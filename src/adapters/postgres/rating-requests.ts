import type pg from "pg";
import type { RatingRequests } from "../../core/ports.ts";

/**
 * The default satisfaction-request sink until the rating flow exists: one row per dossier in
 * `rating_requests` (a second request for the same dossier is ignored), for that flow to pick up.
 */
export function createRatingRequests(pool: pg.Pool): RatingRequests {
  return {
    async request({ dossierCode, channel, chatId }) {
      await pool.query(
        `insert into rating_requests (dossier_code, channel, chat_id) values ($1, $2, $3)
         on conflict (dossier_code) do nothing`,
        [dossierCode, channel, chatId],
      );
    },
  };
}
