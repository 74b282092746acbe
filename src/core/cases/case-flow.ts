import type { CaseConversation, CaseRepository, RateLimiter } from "../ports.ts";
import type { Reply } from "../dialogue/messages.ts";
import { render, type Templates } from "../dialogue/templates.ts";
import type { ScannedCode } from "./dossier-code.ts";
import { safeSummary, verifiedDetails } from "./explain.ts";
import { CLOSED_STATUSES } from "./types.ts";

/**
 * The dossier-status conversation: a code shows the safe summary; the last 4 digits of the phone
 * number on the dossier unlock the details and the subscription. Codes are sequential and guessable,
 * so lookups are rate-limited per chat, failed verifications more strictly, and every failure (unknown,
 * ambiguous or malformed code, wrong digits) gets the same reply text.
 */

/** What the lookup needs from outside, given by the composition root. */
export interface CaseDeps {
  repository: CaseRepository;
  limiter: RateLimiter;
  limits: {
    /** Lookups per chat (`lookup:<channel>:<chatId>`), e.g. 10 per 10 minutes. */
    lookups: { limit: number; windowMs: number };
    /** Failed verifications per chat (`verifyfail:<channel>:<chatId>`), e.g. 5 per hour. */
    failures: { limit: number; windowMs: number };
  };
  now(): Date;
}

/** What one step of the lookup decided. */
export type CaseResult =
  | "found"
  | "not_found"
  | "asked_code"
  | "asked_factor"
  | "verified"
  | "limited"
  | "subscribed"
  | "verify_again";

export interface CaseStep {
  replies: Reply[];
  /** The lookup's new state; undefined when nothing is left to remember. */
  state: CaseConversation | undefined;
  result: CaseResult;
  /** The canonical code of the dossier concerned, when one was found. */
  code: string | null;
}

export interface Chat {
  channel: string;
  chatId: string;
}

/** How long a verification allows subscribing. */
export const VERIFIED_FOR_MS = 30 * 60_000;

const lookupKey = (c: Chat) => `lookup:${c.channel}:${c.chatId}`;
const failureKey = (c: Chat) => `verifyfail:${c.channel}:${c.chatId}`;

/** Keeps only a verification that still counts, so it survives the turns that do not touch it. */
function keepVerified(current: CaseConversation | undefined): CaseConversation | undefined {
  return current?.verified ? { verified: current.verified } : undefined;
}

function limited(t: Templates, retryAfterMs: number, state: CaseConversation | undefined, code: string | null): CaseStep {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return { replies: [{ text: render(t, "caseLimited", { minutes }) }], state, result: "limited", code };
}

/** The one reply for every failure: it must not tell an unknown code from a wrong factor. */
function notFound(t: Templates, state: CaseConversation | undefined): CaseStep {
  return { replies: [{ text: render(t, "caseNotFound") }], state, result: "not_found", code: null };
}

/**
 * A status question: `scanned` is the code found in the message (null when none was given: the code
 * is asked for). Every lookup counts against the chat's limit, malformed codes included.
 */
export async function lookupCase(deps: CaseDeps, t: Templates, chat: Chat, scanned: ScannedCode | null, current: CaseConversation | undefined): Promise<CaseStep> {
  const kept = keepVerified(current);
  if (!scanned) {
    return { replies: [{ text: render(t, "caseAskCode") }], state: { ...kept, awaiting: "code" }, result: "asked_code", code: null };
  }
  const { limit, windowMs } = deps.limits.lookups;
  const hit = await deps.limiter.hit(lookupKey(chat), limit, windowMs);
  if (!hit.allowed) return limited(t, hit.retryAfterMs, kept, null);
  const dossier = scanned.parsed ? await deps.repository.find(scanned.parsed) : null;
  if (!dossier) return notFound(t, { ...kept, awaiting: "code" });
  return {
    replies: safeSummary(t, dossier, deps.now()),
    state: { ...kept, code: dossier.code, awaiting: "factor" },
    result: "found",
    code: dossier.code,
  };
}

/**
 * The digits of a second-factor answer: "1234", "12 34", "4 số cuối là 1234". Returns `{digits}` for
 * exactly four digits, `{digits: null}` for a message that is only digits of another length (a full
 * phone number, a typo), and null for anything else (a new question).
 */
export function factorAnswer(text: string): { digits: string | null } | null {
  const folded = text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/[đĐ]/g, "d")
    .toLowerCase();
  const rest = folded
    .replace(/\b(?:4|bon)\s+(?:chu\s+)?so\s+cuoi\b/g, " ")
    .replace(/\b(?:chu\s+)?so\s+cuoi\b/g, " ")
    .replace(/\b(?:cua\s+)?(?:so\s+dien\s+thoai|dien\s+thoai|sdt|dt)\b/g, " ")
    .replace(/\b(?:la|cua|toi|em|minh|a|ah|nhe|day|ma|so)\b/g, " ")
    .replace(/[\s.,:;!?()"'“”-]+/g, "");
  if (!/^\d+$/.test(rest)) return null;
  return { digits: rest.length === 4 ? rest : null };
}

/** The citizen answered the factor question for `code` (the state's dossier). */
export async function verifyFactor(deps: CaseDeps, t: Templates, chat: Chat, code: string, digits: string, current: CaseConversation | undefined): Promise<CaseStep> {
  const awaiting: CaseConversation = { ...keepVerified(current), code, awaiting: "factor" };
  const { limit, windowMs } = deps.limits.failures;
  const check = await deps.limiter.check(failureKey(chat), limit, windowMs);
  if (!check.allowed) return limited(t, check.retryAfterMs, awaiting, code);
  if (!(await deps.repository.verify(code, digits))) {
    await deps.limiter.hit(failureKey(chat), limit, windowMs);
    return notFound(t, awaiting);
  }
  const dossier = await deps.repository.get(code);
  if (!dossier) return notFound(t, keepVerified(current));
  const now = deps.now();
  const history = await deps.repository.history(code);
  const action = subscribeAction(code);
  // A closed dossier can be rated by the person who just proved it is theirs.
  const rate = CLOSED_STATUSES.includes(dossier.status) ? codeAction("rate", code) : null;
  const choices = [
    ...(action ? [{ id: action, label: render(t, "caseSubscribeLabel") }] : []),
    ...(rate ? [{ id: rate, label: render(t, "ratingRateLabel") }] : []),
  ];
  const reply: Reply = {
    text: action ? `${verifiedDetails(t, dossier, history, now)}\n\n${render(t, "caseSubscribeOffer")}` : verifiedDetails(t, dossier, history, now),
    ...(choices.length > 0 ? { choices } : {}),
  };
  return { replies: [reply], state: { code, verified: { code, at: now.toISOString() } }, result: "verified", code };
}

/** The factor answer had digits, but not four: ask again, still waiting. */
export function askFactorAgain(t: Templates, code: string, current: CaseConversation | undefined): CaseStep {
  return { replies: [{ text: render(t, "caseFactorFormat") }], state: { ...keepVerified(current), code, awaiting: "factor" }, result: "asked_factor", code };
}

const PAYLOAD_SAFE = /^[A-Za-z0-9.:-][A-Za-z0-9.:_-]{0,49}$/;

/**
 * The button payload subscribing to `code`: `sub:<code>` when the code fits the payload alphabet, else
 * `sub:_<base64url>`; null when even that is too long (no button then).
 */
export function subscribeAction(code: string): string | null {
  return codeAction("sub", code);
}

/** `<prefix>:<code>` (or the base64url form) for a button acting on one dossier; null when too long. */
export function codeAction(prefix: "sub" | "rate", code: string): string | null {
  if (PAYLOAD_SAFE.test(code)) return `${prefix}:${code}`;
  const encoded = `_${Buffer.from(code, "utf8").toString("base64url")}`;
  return encoded.length <= 54 ? `${prefix}:${encoded}` : null;
}

/** The code named by a `sub:`/`rate:` payload's argument (everything after the prefix). */
export function subscribedCode(argument: string): string {
  return argument.startsWith("_") ? Buffer.from(argument.slice(1), "base64url").toString("utf8") : argument;
}

/**
 * A tap on "Nhận thông báo…": allowed only for the dossier verified in this chat within the last 30
 * minutes. Anything else (a forged or stale payload) gets a polite request to verify again.
 */
/** Whether `code` was proved to be this chat's within the last 30 minutes. */
export function isVerified(deps: CaseDeps, current: CaseConversation | undefined, code: string): boolean {
  const verified = current?.verified;
  const at = verified ? Date.parse(verified.at) : Number.NaN;
  const age = deps.now().getTime() - at;
  return !!verified && verified.code === code && Number.isFinite(at) && age >= 0 && age <= VERIFIED_FOR_MS;
}

export async function subscribeCase(deps: CaseDeps, t: Templates, chat: Chat, code: string, current: CaseConversation | undefined): Promise<CaseStep> {
  if (!isVerified(deps, current, code)) {
    return { replies: [{ text: render(t, "caseVerifyAgain") }], state: current, result: "verify_again", code: null };
  }
  await deps.repository.subscribe(code, chat.channel, chat.chatId);
  return { replies: [{ text: render(t, "caseSubscribed", { code }) }], state: current, result: "subscribed", code };
}
