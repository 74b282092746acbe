import type { Dossier } from "../cases/types.ts";
import { CLOSED_STATUSES } from "../cases/types.ts";
import { formatVietnamDate } from "../cases/timeliness.ts";
import type { Choice, Reply } from "../dialogue/messages.ts";
import { render, type TemplateKey, type Templates } from "../dialogue/templates.ts";
import type { ConversationState, RatingFeedback, RatingFollowUp, RatingLevel, RatingRecord, RatingRequests, RatingStore } from "../ports.ts";

/**
 * The satisfaction rating of one closed dossier, in one tap and then optional taps:
 *   rt:<token>:<3|2|1>          the overall level (saved at once: a citizen who stops here has rated)
 *   rf:<token>:<c|a|v>:<value>  follow-ups: times contacted (0/1/2), attitude (3/2/1), convenience (3/2/1)
 *   rc:<token>:skip|file|no     skip the comment; file the comment as a complaint, or not
 * then a free-text comment. The token names the invitation, which belongs to one chat: a payload typed
 * by hand or replayed from another chat is a stale choice. A dossier is rated once; a second attempt is
 * told the rating on record.
 */

export interface RatingDeps {
  store: RatingStore;
  now(): Date;
}

export type RatingResult = "asked" | "rated" | "already_rated" | "answered" | "commented" | "complaint" | "done" | "not_closed" | "stale";

export interface RatingStep {
  replies: Reply[];
  state: ConversationState;
  result: RatingResult;
  code: string | null;
}

const LEVELS: RatingLevel[] = [3, 2, 1];
const FOLLOW_UPS: { key: "c" | "a" | "v"; question: RatingFollowUp; ask: TemplateKey; options: [number, TemplateKey][] }[] = [
  { key: "c", question: "contacts", ask: "ratingAskContacts", options: [[0, "ratingContacts0"], [1, "ratingContacts1"], [2, "ratingContacts2"]] },
  { key: "a", question: "attitude", ask: "ratingAskAttitude", options: [[3, "ratingAttitude3"], [2, "ratingAttitude2"], [1, "ratingAttitude1"]] },
  { key: "v", question: "convenience", ask: "ratingAskConvenience", options: [[3, "ratingConvenience3"], [2, "ratingConvenience2"], [1, "ratingConvenience1"]] },
];
/** Invitation tokens: what the store makes (ASCII, so payloads stay within Telegram's 64 bytes). */
const TOKEN = /^[A-Za-z0-9]{12,32}$/;

export const levelLabel = (t: Templates, level: RatingLevel) => render(t, `ratingLevel${level}` as TemplateKey);

/** Zalo's rating template answers 1–5 stars: 5 → Rất hài lòng, 3–4 → Hài lòng, 1–2 → Không hài lòng. */
export function levelFromStars(stars: number): RatingLevel {
  return stars >= 5 ? 3 : stars >= 3 ? 2 : 1;
}

/** Ratings given through a channel's own form (Zalo's rating template): stars mapped, recorded once. */
export function templateRatings(store: RatingStore): RatingFeedback {
  return {
    async record(f) {
      const { recorded } = await store.rate({
        dossierCode: f.dossierCode,
        channel: f.channel,
        chatId: f.chatId,
        overall: levelFromStars(f.stars),
        stars: f.stars,
        feedbacks: f.feedbacks,
        ...(f.note ? { comment: f.note } : {}),
        at: f.submittedAt,
      });
      return recorded ? "recorded" : "already_rated";
    },
  };
}

export function isClosed(d: Pick<Dossier, "status">): boolean {
  return CLOSED_STATUSES.includes(d.status);
}

/** The question that opens a rating (proactive request, reminder, or the citizen's own "đánh giá hồ sơ …"). */
export function ratingQuestion(t: Templates, token: string, dossier: { code: string; procedureName: string | null }, reminder = false): Reply {
  const procedure = dossier.procedureName ?? "thủ tục hành chính";
  return {
    text: render(t, reminder ? "ratingReminder" : "ratingAsk", { code: dossier.code, procedure }),
    choices: LEVELS.map((level) => ({ id: `rt:${token}:${level}`, label: levelLabel(t, level) })),
  };
}

function already(t: Templates, record: RatingRecord): string {
  return render(t, "ratingAlready", { code: record.dossierCode, level: levelLabel(t, record.overall), date: formatVietnamDate(record.ratedAt) });
}

function followUp(t: Templates, token: string, index: number): Reply {
  const f = FOLLOW_UPS[index]!;
  const choices: Choice[] = f.options.map(([value, label]) => ({ id: `rf:${token}:${f.key}:${value}`, label: render(t, label) }));
  return { text: render(t, f.ask), choices: [...choices, { id: `rc:${token}:skip`, label: render(t, "ratingSkip") }] };
}

function askComment(t: Templates, token: string, dislike: boolean): Reply {
  return { text: render(t, dislike ? "ratingAskCommentDislike" : "ratingAskComment"), choices: [{ id: `rc:${token}:skip`, label: render(t, "ratingSkip") }] };
}

const without = (state: ConversationState): ConversationState => {
  const { rating: _rating, ...rest } = state;
  return rest;
};

/**
 * The citizen asked to rate `dossier` (proved theirs in this chat): the invitation moves to this chat
 * and the question is asked, unless the dossier is not closed or was rated already.
 */
export async function startRating(deps: RatingDeps, t: Templates, chat: { channel: string; chatId: string }, dossier: Dossier, state: ConversationState): Promise<RatingStep> {
  if (!isClosed(dossier)) return { replies: [{ text: render(t, "ratingNotClosed", { code: dossier.code }) }], state, result: "not_closed", code: dossier.code };
  const record = await deps.store.get(dossier.code);
  if (record) return { replies: [{ text: already(t, record) }], state: without(state), result: "already_rated", code: dossier.code };
  const { invite } = await deps.store.invite({ dossierCode: dossier.code, ...chat, origin: "citizen" });
  return { replies: [ratingQuestion(t, invite.token, dossier)], state: without(state), result: "asked", code: dossier.code };
}

/** A tap on one of the rating's buttons (`rt:`, `rf:`, `rc:`). */
export async function takeRatingAction(deps: RatingDeps, t: Templates, chat: { channel: string; chatId: string }, action: string, state: ConversationState): Promise<RatingStep> {
  const [kind, token = "", a, b] = action.split(":");
  const stale: RatingStep = { replies: [{ text: render(t, "staleChoice") }], state, result: "stale", code: null };
  if (!TOKEN.test(token)) return stale;
  const invite = await deps.store.findInvite(token, chat.channel, chat.chatId);
  if (!invite) return stale;
  const code = invite.dossierCode;

  if (kind === "rt") {
    const level = Number(a);
    if (!(level === 1 || level === 2 || level === 3)) return stale;
    const { recorded, record } = await deps.store.rate({ dossierCode: code, ...chat, overall: level, at: deps.now() });
    if (!recorded) return { replies: [{ text: already(t, record) }], state: without(state), result: "already_rated", code };
    return {
      replies: [{ text: render(t, "ratingThanks") }, followUp(t, token, 0)],
      state: { ...without(state), rating: { token, ...(level === 1 ? { dislike: true } : {}) } },
      result: "rated",
      code,
    };
  }

  const record = await deps.store.get(code);
  if (!record) return stale; // a follow-up before the overall tap: only forged payloads do that
  const dislike = record.overall === 1;

  if (kind === "rf") {
    const index = FOLLOW_UPS.findIndex((f) => f.key === a);
    const f = FOLLOW_UPS[index];
    const value = Number(b);
    if (!f || !f.options.some(([v]) => v === value)) return stale;
    await deps.store.answer(code, f.question, value);
    const next = index + 1 < FOLLOW_UPS.length ? followUp(t, token, index + 1) : askComment(t, token, dislike);
    const awaiting = index + 1 >= FOLLOW_UPS.length;
    return { replies: [next], state: { ...without(state), rating: { token, ...(awaiting ? { awaiting: "comment" as const } : {}), ...(dislike ? { dislike } : {}) } }, result: "answered", code };
  }

  if (kind === "rc") {
    if (a === "skip") {
      // Skipping a follow-up jumps to the comment; skipping the comment ends the rating.
      if (state.rating?.token === token && state.rating.awaiting === "comment") {
        return { replies: [{ text: render(t, "ratingDone") }], state: without(state), result: "done", code };
      }
      return { replies: [askComment(t, token, dislike)], state: { ...without(state), rating: { token, awaiting: "comment", ...(dislike ? { dislike } : {}) } }, result: "answered", code };
    }
    if (a === "file") {
      const ref = record.comment ? await deps.store.fileComplaint({ dossierCode: code, ...chat }) : null;
      if (!ref) return { replies: [askComment(t, token, true)], state: { ...without(state), rating: { token, awaiting: "comment", dislike: true } }, result: "answered", code };
      return { replies: [{ text: render(t, "ratingComplaintFiled", { ref }) }], state: without(state), result: "complaint", code };
    }
    if (a === "no") return { replies: [{ text: render(t, "ratingDone") }], state: without(state), result: "done", code };
  }
  return stale;
}

/** The text the citizen typed while a comment was awaited. Null when no comment is awaited. */
export async function takeRatingComment(deps: RatingDeps, t: Templates, chat: { channel: string; chatId: string }, text: string, state: ConversationState): Promise<RatingStep | null> {
  const r = state.rating;
  if (!r || r.awaiting !== "comment") return null;
  const invite = await deps.store.findInvite(r.token, chat.channel, chat.chatId);
  if (!invite) return { replies: [], state: without(state), result: "stale", code: null };
  const comment = text.trim().slice(0, 2000);
  await deps.store.comment(invite.dossierCode, comment);
  if (r.dislike) {
    return {
      replies: [
        {
          text: `${render(t, "ratingCommentSaved")}\n\n${render(t, "ratingOfferComplaint")}`,
          choices: [
            { id: `rc:${r.token}:file`, label: render(t, "ratingFileComplaint") },
            { id: `rc:${r.token}:no`, label: render(t, "ratingNoComplaint") },
          ],
        },
      ],
      state: without(state),
      result: "commented",
      code: invite.dossierCode,
    };
  }
  return { replies: [{ text: `${render(t, "ratingCommentSaved")} ${render(t, "ratingDone")}` }], state: without(state), result: "commented", code: invite.dossierCode };
}

/** The dispatcher's side of the rating: what to send when a dossier closes, and for the one reminder. */
export function createRatingRequests(deps: { store: RatingStore; getDossier(code: string): Promise<Dossier | null>; templates: Templates }): RatingRequests {
  const t = deps.templates;
  return {
    async compose({ dossierCode, channel, chatId, reminder }) {
      if (await deps.store.get(dossierCode)) return null; // rated already (in another chat, or by template)
      const dossier = await deps.getDossier(dossierCode);
      if (!dossier || !isClosed(dossier)) return null;
      const { invite, created } = await deps.store.invite({ dossierCode, channel, chatId, origin: "closure" });
      if (invite.channel !== channel || invite.chatId !== chatId) return null; // one request per dossier: another chat has it
      if (reminder ? !invite.sentAt || invite.remindedAt : !created && invite.sentAt) return null;
      return { replies: [ratingQuestion(t, invite.token, dossier, reminder)], token: invite.token };
    },
    sent: (token, reminder) => deps.store.markSent(token, reminder ? "reminder" : "request"),
  };
}
