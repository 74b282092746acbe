import type { ConversationState } from "../ports.ts";
import { askFactorAgain, factorAnswer, isVerified, lookupCase, subscribeCase, subscribedCode, verifyFactor, VERIFIED_FOR_MS, type CaseDeps, type CaseResult, type CaseStep } from "../cases/case-flow.ts";
import { startRating, takeRatingAction, takeRatingComment, type RatingDeps, type RatingResult, type RatingStep } from "../ratings/rating-flow.ts";
import { scanDossierCode, type ScannedCode } from "../cases/dossier-code.ts";
import { overviewText, sectionChoices, sectionText, type ProcedureRecord, type Section } from "../answers/compose.ts";
import type { RankedCandidate } from "../retrieval/rank.ts";
import { retrieve, type RetrievalDeps } from "../retrieval/retrieve.ts";
import { MAX_QUERY_CHARS } from "../retrieval/query.ts";
import { askedFields, containsPhrase, messageWords, type DialogueRules, type Field } from "./intents.ts";
import type { InboundMessage, Reply } from "./messages.ts";
import { render, type Templates } from "./templates.ts";

/** What a turn decided, for logs, tests and the eval command. */
export type Outcome =
  | { kind: "answered"; code: string; sections: Section[] }
  | { kind: "followup"; code: string; sections: Section[] }
  | { kind: "clarify"; codes: string[] }
  | { kind: "abstain" }
  | { kind: "status"; code: string | null; result: CaseResult | "not_connected" | "private_only" }
  | { kind: "rating"; code: string | null; result: RatingResult }
  | { kind: "greeting" | "help" | "thanks" | "empty" | "stale_choice" | "cancelled" }
  | { kind: "refused"; reason: "injection" | "personal_data" | "out_of_scope" };

export interface TurnDeps {
  retrieval: RetrievalDeps;
  rules: DialogueRules;
  templates: Templates;
  /** Reads a procedure's full record. */
  getProcedure(code: string): Promise<ProcedureRecord | null>;
  /** The dossier lookup; without it, status questions get the "not connected yet" reply. */
  cases?: CaseDeps;
  /** Satisfaction ratings; without them, rating buttons are stale and "đánh giá hồ sơ" is a status question. */
  ratings?: RatingDeps;
}

export interface TurnResult {
  replies: Reply[];
  state: ConversationState;
  outcome: Outcome;
  /** The ranked candidates when the catalogue was searched (eval, `npm run ask`). */
  ranked?: RankedCandidate[];
}

const SECTIONS = new Set<Section>(["fees", "time", "documents", "where", "online", "postal", "steps", "conditions"]);

/**
 * One turn of the dialogue: an inbound message and the conversation's state in, replies and the new
 * state out. Channel-free and I/O-free apart from the ports it is given.
 */
export async function takeTurn(deps: TurnDeps, message: InboundMessage, state: ConversationState): Promise<TurnResult> {
  const result = message.action ? await takeAction(deps, message, state) : await takeTextTurn(deps, message, state);
  return carryVerified(deps, state, result);
}

/**
 * A dossier verified in this chat stays usable (for the subscribe button) across turns that do not
 * touch the lookup, until it is older than the subscription window.
 */
function carryVerified(deps: TurnDeps, before: ConversationState, result: TurnResult): TurnResult {
  const verified = before.case?.verified;
  if (!verified || result.state.case || !deps.cases) return result;
  const age = deps.cases.now().getTime() - Date.parse(verified.at);
  if (!(age >= 0 && age <= VERIFIED_FOR_MS)) return result;
  return { ...result, state: { ...result.state, case: { verified } } };
}

function ratingTurn(step: RatingStep): TurnResult {
  return { replies: step.replies, state: step.state, outcome: { kind: "rating", code: step.code, result: step.result } };
}

/** "đánh giá hồ sơ <mã>": rate a dossier proved to be this chat's; otherwise verify it first. */
async function rateByText(deps: TurnDeps, message: InboundMessage, state: ConversationState, scanned: ScannedCode | null): Promise<TurnResult> {
  const t = deps.templates;
  const chat = { channel: message.channel, chatId: message.chatId };
  if (message.context === "group") return privateOnly(deps, state, scanned?.raw ?? null);
  const cases = deps.cases!;
  // Only a chat that verified a dossier can rate at once; otherwise the lookup below reads the dossier.
  const verifiedCode = state.case?.verified?.code;
  const dossier = !verifiedCode ? null : scanned ? (scanned.parsed ? await cases.repository.find(scanned.parsed) : null) : await cases.repository.get(verifiedCode);
  if (dossier && isVerified(cases, state.case, dossier.code)) return ratingTurn(await startRating(deps.ratings!, t, chat, dossier, state));
  if (!scanned) return { replies: [{ text: render(t, "ratingAskCode") }], state, outcome: { kind: "rating", code: null, result: "asked" } };
  const step = await lookupCase(cases, t, chat, scanned, state.case);
  const r = caseTurn(state, step);
  return step.result === "found" ? { ...r, replies: [{ text: render(t, "ratingVerifyFirst") }, ...r.replies] } : r;
}

function caseTurn(state: ConversationState, step: CaseStep): TurnResult {
  const { case: _dropped, ...rest } = state;
  return {
    replies: step.replies,
    state: step.state ? { ...rest, case: step.state } : rest,
    outcome: { kind: "status", code: step.code, result: step.result },
  };
}

/** A message that is nothing but a code-like string, sent when a code was asked for ("h29 22 250312 42"). */
function codeAttempt(text: string): ScannedCode | null {
  const s = text.trim();
  if (s.length > 40 || !/^[A-Za-z0-9.\s/-]+$/.test(s) || (s.match(/\d/g) ?? []).length < 6 || (s.match(/[A-Za-z]/g) ?? []).length > 4) return null;
  return { raw: s.toUpperCase(), parsed: null };
}

async function takeTextTurn(deps: TurnDeps, message: InboundMessage, incoming: ConversationState): Promise<TurnResult> {
  const t = deps.templates;
  let state = incoming;
  const raw = (message.text ?? "").normalize("NFC");
  const notes: Reply[] = raw.length > MAX_QUERY_CHARS ? [{ text: render(t, "tooLong", { limit: MAX_QUERY_CHARS.toLocaleString("vi-VN") }) }] : [];
  const text = raw.slice(0, MAX_QUERY_CHARS);
  const words = messageWords(text);
  const withNotes = (r: TurnResult): TurnResult => ({ ...r, replies: [...notes, ...r.replies] });

  if (words.folded.length === 0) return { replies: [{ text: render(t, "empty") }], state, outcome: { kind: "empty" } };

  const chat = { channel: message.channel, chatId: message.chatId };
  // A rating's comment, when one was asked for: stored as written (masked when shown to staff).
  if (state.rating?.awaiting === "comment" && deps.ratings) {
    const step = await takeRatingComment(deps.ratings, t, chat, text, state);
    if (step && step.result !== "stale") return withNotes(ratingTurn(step));
    if (step) state = step.state;
  }
  // The answer to "type the last 4 digits": before the personal-data guard ("4 số cuối sđt của tôi…").
  if (state.case?.awaiting === "factor" && state.case.code && deps.cases) {
    const answer = factorAnswer(text);
    if (answer) {
      const step = answer.digits
        ? await verifyFactor(deps.cases, t, chat, state.case.code, answer.digits, state.case)
        : askFactorAgain(t, state.case.code, state.case);
      return withNotes(caseTurn(state, step));
    }
  }
  // Anything else drops what the lookup was waiting for; a verification is kept.
  if (state.case?.awaiting) {
    const { awaiting, code: _code, ...kept } = state.case;
    const { case: _case, ...rest } = state;
    state = Object.keys(kept).length > 0 ? { ...rest, case: kept } : rest;
    if (awaiting === "code" && deps.cases && !scanDossierCode(text)) {
      const attempt = codeAttempt(text);
      if (attempt) return withNotes(caseTurn(state, await lookupCase(deps.cases, t, chat, attempt, state.case)));
    }
  }
  if (containsPhrase(words, deps.rules.injection)) {
    return withNotes({ replies: [{ text: render(t, "injection") }], state, outcome: { kind: "refused", reason: "injection" } });
  }
  if (containsPhrase(words, deps.rules.personalData)) {
    return withNotes({ replies: [{ text: render(t, "personalData") }], state, outcome: { kind: "refused", reason: "personal_data" } });
  }

  // A number answering the last clarification.
  const number = /^\s*(?:số\s*)?(\d{1,2})\s*[.)]?\s*$/iu.exec(text);
  if (number && state.offered?.length) {
    const chosen = state.offered[Number(number[1]) - 1];
    if (chosen) return answer(deps, chosen.code, [], state, "answered");
  }

  const scanned = scanDossierCode(text);
  if (deps.ratings && deps.cases && containsPhrase(words, deps.rules.rating) && (scanned || containsPhrase(words, deps.rules.status) || words.folded.length <= 4)) {
    return withNotes(await rateByText(deps, message, state, scanned));
  }
  if (scanned || containsPhrase(words, deps.rules.status)) {
    if (message.context === "group") return withNotes(privateOnly(deps, state, scanned?.raw ?? null));
    if (deps.cases) return withNotes(caseTurn(state, await lookupCase(deps.cases, t, chat, scanned, state.case)));
    const code = scanned?.raw ?? null;
    const codeLine = code ? render(t, "statusCode", { code }) : "";
    return withNotes({ replies: [{ text: render(t, "status", { code: codeLine }) }], state, outcome: { kind: "status", code, result: "not_connected" } });
  }

  const short = words.folded.length <= 6;
  if (short && containsPhrase(words, deps.rules.thanks)) return { replies: [{ text: render(t, "thanks") }], state, outcome: { kind: "thanks" } };
  if (short && containsPhrase(words, deps.rules.help)) return { replies: [{ text: render(t, "help") }], state, outcome: { kind: "help" } };
  if (short && containsPhrase(words, deps.rules.greetings) && words.folded.length <= 4) {
    return { replies: [{ text: render(t, "welcome") }], state, outcome: { kind: "greeting" } };
  }
  if (containsPhrase(words, deps.rules.outOfScope)) {
    return withNotes({ replies: [{ text: render(t, "outOfScope") }], state, outcome: { kind: "refused", reason: "out_of_scope" } });
  }

  const fields = askedFields(words, deps.rules);
  const retrieval = await retrieve(deps.retrieval, text);
  const ranked = retrieval.ranked;
  const d = deps.retrieval.config.decision;
  const top = ranked[0];
  // Confident: a strong match for the question, or a short question that is essentially a name.
  const confident =
    top !== undefined &&
    ((top.score >= d.answerMinScore && top.coverage >= d.answerMinCoverage) ||
      (top.score >= d.namedMinScore && top.coverage >= d.namedMinCoverage && top.nameCoverage >= d.namedMinNameCoverage));

  // A follow-up about the procedure under discussion: a field is asked and nothing else is named.
  if (state.procedure && fields.length > 0) {
    const namesAnother = confident && top.code !== state.procedure.code && retrieval.query.terms.length >= 3;
    if (!namesAnother) {
      const r = await answer(deps, state.procedure.code, fields, state, "followup");
      return withNotes({ ...r, ranked });
    }
  }

  if (!confident) {
    if (fields.length > 0 && retrieval.query.terms.length === 0) {
      return withNotes({ replies: [{ text: render(t, "noProcedure") }], state, outcome: { kind: "abstain" }, ranked });
    }
    return withNotes({ replies: [{ text: render(t, "abstain") }], state: {}, outcome: { kind: "abstain" }, ranked });
  }

  const close = closeCandidates(ranked, d.clarifyWithin, d.maxChoices);
  if (close.length > 1) {
    const offered = close.map((c) => ({ code: c.code, name: c.name }));
    const lines = offered.map((c, i) => `${i + 1}. ${c.name}`);
    return withNotes({
      replies: [
        {
          text: [render(t, "clarify"), ...lines, render(t, "clarifyNumbered")].join("\n"),
          choices: offered.map((c) => ({ id: `c:${c.code}`, label: clipLabel(c.name) })),
        },
      ],
      state: { ...(state.procedure ? { procedure: state.procedure } : {}), offered },
      outcome: { kind: "clarify", codes: offered.map((c) => c.code) },
      ranked,
    });
  }
  const r = await answer(deps, top.code, fields, state, "answered");
  return withNotes({ ...r, ranked });
}

/** Candidates whose score is within `within` (relative) of the best, and that differ in name. */
function closeCandidates(ranked: RankedCandidate[], within: number, max: number): RankedCandidate[] {
  const top = ranked[0];
  if (!top) return [];
  const floor = top.score - Math.abs(top.score) * within;
  const seen = new Set<string>();
  const out: RankedCandidate[] = [];
  for (const c of ranked) {
    if (c.score < floor || out.length >= max) break;
    const key = c.name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(c);
  }
  return out;
}

function clipLabel(name: string): string {
  return name.length <= 60 ? name : `${name.slice(0, 57).replace(/\s+\S*$/, "")}…`;
}

/** Dossier lookups are refused in group chats: the summary and the factor step would be read by others. */
function privateOnly(deps: TurnDeps, state: ConversationState, code: string | null): TurnResult {
  return { replies: [{ text: render(deps.templates, "casePrivateOnly") }], state, outcome: { kind: "status", code, result: "private_only" } };
}

/** A channel command (`cmd:*`): welcome, help, start a lookup, or cancel what the last reply waited for. */
async function takeCommand(deps: TurnDeps, message: InboundMessage, state: ConversationState, command: string): Promise<TurnResult | null> {
  const t = deps.templates;
  switch (command) {
    case "start":
      return { replies: [{ text: render(t, "welcome") }], state, outcome: { kind: "greeting" } };
    case "help":
      return { replies: [{ text: render(t, "help") }], state, outcome: { kind: "help" } };
    case "lookup": {
      if (message.context === "group") return privateOnly(deps, state, null);
      if (!deps.cases) return { replies: [{ text: render(t, "status", { code: "" }) }], state, outcome: { kind: "status", code: null, result: "not_connected" } };
      return caseTurn(state, await lookupCase(deps.cases, t, { channel: message.channel, chatId: message.chatId }, null, state.case));
    }
    case "cancel": {
      // What is waited for: a dossier code or the 4 digits, or an answer to "which procedure?".
      // The procedure under discussion and a recent verification are not steps, and are kept.
      const waiting = state.case?.awaiting !== undefined || (state.offered?.length ?? 0) > 0;
      const { offered: _offered, case: current, ...rest } = state;
      const kept = current?.verified ? { ...rest, case: { verified: current.verified } } : rest;
      return { replies: [{ text: render(t, waiting ? "cancelled" : "nothingToCancel") }], state: kept, outcome: { kind: "cancelled" } };
    }
    default:
      return null;
  }
}

async function takeAction(deps: TurnDeps, message: InboundMessage, state: ConversationState): Promise<TurnResult> {
  const action = message.action ?? "";
  const stale = (): TurnResult => ({ replies: [{ text: render(deps.templates, "staleChoice") }], state, outcome: { kind: "stale_choice" } });
  if (action.startsWith("cmd:")) return (await takeCommand(deps, message, state, action.slice(4))) ?? stale();
  if (action.startsWith("sub:")) {
    if (message.context === "group") return privateOnly(deps, state, null);
    if (!deps.cases) return { replies: [{ text: render(deps.templates, "status", { code: "" }) }], state, outcome: { kind: "status", code: null, result: "not_connected" } };
    const chat = { channel: message.channel, chatId: message.chatId };
    return caseTurn(state, await subscribeCase(deps.cases, deps.templates, chat, subscribedCode(action.slice(4)), state.case));
  }
  if (/^r[tfc]:/.test(action)) {
    if (message.context === "group") return privateOnly(deps, state, null);
    if (!deps.ratings) return stale();
    return ratingTurn(await takeRatingAction(deps.ratings, deps.templates, { channel: message.channel, chatId: message.chatId }, action, state));
  }
  if (action.startsWith("rate:")) {
    if (message.context === "group") return privateOnly(deps, state, null);
    if (!deps.ratings || !deps.cases) return stale();
    const code = subscribedCode(action.slice(5));
    if (!isVerified(deps.cases, state.case, code)) {
      // The 30 minutes after verifying are over (or the payload was not this chat's): verify again.
      const text = `${render(deps.templates, "ratingVerifyFirst")} ${render(deps.templates, "ratingAskCode")}`;
      return { replies: [{ text }], state, outcome: { kind: "rating", code: null, result: "stale" } };
    }
    const dossier = await deps.cases.repository.get(code);
    if (!dossier) return stale();
    return ratingTurn(await startRating(deps.ratings, deps.templates, { channel: message.channel, chatId: message.chatId }, dossier, state));
  }
  const [kind, code, section] = action.split(":");
  if (kind === "c" && code) return (await deps.getProcedure(code)) ? answer(deps, code, [], state, "answered") : stale();
  if (kind === "s" && code && section && SECTIONS.has(section as Section)) {
    return (await deps.getProcedure(code)) ? answer(deps, code, [section as Field], state, "followup") : stale();
  }
  return stale();
}

async function answer(deps: TurnDeps, code: string, fields: Section[], state: ConversationState, kind: "answered" | "followup"): Promise<TurnResult> {
  const p = await deps.getProcedure(code);
  if (!p) return { replies: [{ text: render(deps.templates, "staleChoice") }], state, outcome: { kind: "stale_choice" } };
  const asked = fields.filter((f): f is Exclude<Section, "overview"> => f !== "overview");
  // "Làm thế nào" alone asks for the whole picture: the overview, with the steps on offer.
  const specific = asked.filter((f) => f !== "steps" || asked.length === 1);
  const body = kind === "answered" && (specific.length === 0 || (specific.length === 1 && specific[0] === "steps"))
    ? overviewText(p)
    : specific.map((f) => sectionText(p, f)).join("\n\n");
  const shown: Section[] = kind === "answered" && specific.every((f) => f === "steps") ? ["overview", "fees", "time"] : specific;
  const reply: Reply = {
    text: `${body}\n\n${render(deps.templates, "disclaimer")}`,
    choices: sectionChoices(p, shown),
    ...(p.sourceUrl ? { link: { url: p.sourceUrl, label: render(deps.templates, "sourceLabel") } } : {}),
  };
  return {
    replies: [reply],
    state: { procedure: { code: p.code, name: p.name } },
    outcome: { kind, code: p.code, sections: shown.length ? shown : ["overview"] },
  };
}
