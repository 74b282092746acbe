import { randomBytes } from "node:crypto";
import type pg from "pg";
import type { RatingInvite, RatingLevel, RatingRecord, RatingStore, UnansweredLog } from "../../core/ports.ts";
import { foldedTokens } from "../../core/text/vietnamese.ts";
import { maskPersonalNumbers } from "../../core/privacy.ts";

interface InviteRow {
  token: string;
  dossier_code: string;
  channel: string;
  chat_id: string;
  sent_at: Date | null;
  reminded_at: Date | null;
}
interface RatingRow {
  dossier_code: string;
  overall: number;
  contacts: number | null;
  attitude: number | null;
  convenience: number | null;
  comment: string | null;
  rated_at: Date;
}

const toInvite = (r: InviteRow): RatingInvite => ({ token: r.token, dossierCode: r.dossier_code, channel: r.channel, chatId: r.chat_id, sentAt: r.sent_at, remindedAt: r.reminded_at });
const toRecord = (r: RatingRow): RatingRecord => ({
  dossierCode: r.dossier_code,
  overall: r.overall as RatingLevel,
  contacts: r.contacts,
  attitude: r.attitude,
  convenience: r.convenience,
  comment: r.comment,
  ratedAt: r.rated_at,
});
const INVITE_COLUMNS = "token, dossier_code, channel, chat_id, sent_at, reminded_at";
const RATING_COLUMNS = "dossier_code, overall, contacts, attitude, convenience, comment, rated_at";
const FOLLOW_UP_COLUMNS = { contacts: "contacts", attitude: "attitude", convenience: "convenience" } as const;

/** 20 base62 characters: unguessable, ASCII, short enough for every channel's button payload. */
function newToken(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(20)].map((b) => alphabet[b % 62]).join("");
}

/** `rating_requests`, `ratings` and `complaints` as the rating flow's store. */
export function createRatingStore(pool: pg.Pool, options: { now?: () => Date } = {}): RatingStore {
  const now = options.now ?? (() => new Date());
  const get = async (code: string) => {
    const r = (await pool.query<RatingRow>(`select ${RATING_COLUMNS} from ratings where dossier_code = $1`, [code])).rows[0];
    return r ? toRecord(r) : null;
  };
  const store: RatingStore = {
    async invite({ dossierCode, channel, chatId, origin }) {
      const inserted = await pool.query<InviteRow>(
        `insert into rating_requests (dossier_code, channel, chat_id, token, origin) values ($1, $2, $3, $4, $5)
         on conflict (dossier_code) do nothing returning ${INVITE_COLUMNS}`,
        [dossierCode, channel, chatId, newToken(), origin],
      );
      if (inserted.rows[0]) return { invite: toInvite(inserted.rows[0]), created: true };
      // A citizen who proved the dossier theirs takes the invitation to the chat they are in.
      const existing =
        origin === "citizen"
          ? await pool.query<InviteRow>(`update rating_requests set channel = $2, chat_id = $3 where dossier_code = $1 returning ${INVITE_COLUMNS}`, [dossierCode, channel, chatId])
          : await pool.query<InviteRow>(`select ${INVITE_COLUMNS} from rating_requests where dossier_code = $1`, [dossierCode]);
      return { invite: toInvite(existing.rows[0]!), created: false };
    },
    async findInvite(token, channel, chatId) {
      const r = (await pool.query<InviteRow>(`select ${INVITE_COLUMNS} from rating_requests where token = $1 and channel = $2 and chat_id = $3`, [token, channel, chatId])).rows[0];
      return r ? toInvite(r) : null;
    },
    async markSent(token, kind) {
      await pool.query(`update rating_requests set ${kind === "request" ? "sent_at" : "reminded_at"} = coalesce(${kind === "request" ? "sent_at" : "reminded_at"}, now()) where token = $1`, [token]);
    },
    get,
    async rate({ dossierCode, channel, chatId, overall, stars, feedbacks, comment, at }) {
      const r = await pool.query<RatingRow>(
        `insert into ratings (dossier_code, channel, chat_id, overall, stars, feedbacks, comment, rated_at)
         values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) on conflict (dossier_code) do nothing returning ${RATING_COLUMNS}`,
        [dossierCode, channel, chatId, overall, stars ?? null, feedbacks ? JSON.stringify(feedbacks) : null, comment ?? null, at ?? now()],
      );
      if (r.rows[0]) return { recorded: true, record: toRecord(r.rows[0]) };
      return { recorded: false, record: (await get(dossierCode))! };
    },
    async answer(dossierCode, question, value) {
      await pool.query(`update ratings set ${FOLLOW_UP_COLUMNS[question]} = $2, updated_at = now() where dossier_code = $1`, [dossierCode, value]);
    },
    async comment(dossierCode, text) {
      await pool.query("update ratings set comment = $2, updated_at = now() where dossier_code = $1", [dossierCode, text]);
    },
    async fileComplaint({ dossierCode, channel, chatId }) {
      const existing = (await pool.query<{ ref: string }>("select ref from complaints where dossier_code = $1", [dossierCode])).rows[0];
      if (existing) return existing.ref;
      const rating = await get(dossierCode);
      if (!rating?.comment) return null;
      const day = now().toISOString().slice(2, 10).replace(/-/g, "");
      const r = await pool.query<{ ref: string }>(
        `insert into complaints (ref, dossier_code, channel, chat_id, comment)
         values ('PA-' || $1 || '-' || lpad(nextval('complaint_numbers')::text, 4, '0'), $2, $3, $4, $5) returning ref`,
        [day, dossierCode, channel, chatId, rating.comment],
      );
      return r.rows[0]!.ref;
    },
  };
  return store;
}

/** `unanswered_questions`: grouped by the folded question, counted per day for the reports' periods. */
export function createUnansweredLog(pool: pg.Pool): UnansweredLog {
  return {
    async record(question, at) {
      const example = maskPersonalNumbers(question.normalize("NFC").replace(/\s+/g, " ").trim()).slice(0, 300);
      const key = foldedTokens(example).join(" ").slice(0, 200);
      if (!key) return;
      await pool.query(
        `with q as (
           insert into unanswered_questions (key, example, last_asked_at) values ($1, $2, $3)
           on conflict (key) do update set count = unanswered_questions.count + 1, example = excluded.example, last_asked_at = excluded.last_asked_at
           returning key)
         insert into unanswered_days (key, day) select key, ($3::timestamptz at time zone 'Asia/Ho_Chi_Minh')::date from q
         on conflict (key, day) do update set count = unanswered_days.count + 1`,
        [key, example, at],
      );
    },
  };
}
