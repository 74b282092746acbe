import type { CaseLookup, ConversationState } from "../ports.ts";
import { overviewText, sectionChoices, sectionText, type ProcedureRecord, type Section } from "../answers/compose.ts";
import type { RankedCandidate } from "../retrieval/rank.ts";
import { retrieve, type RetrievalDeps } from "../retrieval/retrieve.ts";
import { MAX_QUERY_CHARS } from "../retrieval/query.ts";
import { askedFields, containsPhrase, findDossierCode, messageWords, type DialogueRules, type Field } from "./intents.ts";
import type { InboundMessage, Reply } from "./messages.ts";
import { render, type Templates } from "./templates.ts";

/** What a turn decided, for logs, tests and the eval command. */
export type Outcome =
  | { kind: "answered"; code: string; sections: Section[] }
  | { kind: "followup"; code: string; sections: Section[] }
  | { kind: "clarify"; codes: string[] }
  | { kind: "abstain" }
  | { kind: "status"; code: string | null }
  | { kind: "greeting" | "help" | "thanks" | "empty" | "stale_choice" }
  | { kind: "refused"; reason: "injection" | "personal_data" | "out_of_scope" };

export interface TurnDeps {
  retrieval: RetrievalDeps;
  rules: DialogueRules;
  templates: Templates;
  /** Reads a procedure's full record. */
  getProcedure(code: string): Promise<ProcedureRecord | null>;
  caseLookup?: CaseLookup;
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
  const t = deps.templates;
  if (message.action) return takeAction(deps, message.action, state);

  const raw = (message.text ?? "").normalize("NFC");
  const notes: Reply[] = raw.length > MAX_QUERY_CHARS ? [{ text: render(t, "tooLong", { limit: MAX_QUERY_CHARS.toLocaleString("vi-VN") }) }] : [];
  const text = raw.slice(0, MAX_QUERY_CHARS);
  const words = messageWords(text);
  const withNotes = (r: TurnResult): TurnResult => ({ ...r, replies: [...notes, ...r.replies] });

  if (words.folded.length === 0) return { replies: [{ text: render(t, "empty") }], state, outcome: { kind: "empty" } };
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

  const code = findDossierCode(text);
  if (code || containsPhrase(words, deps.rules.status)) {
    if (deps.caseLookup) {
      const found = await deps.caseLookup.lookup({ channel: message.channel, chatId: message.chatId, code, text });
      return withNotes({ replies: found, state, outcome: { kind: "status", code } });
    }
    const codeLine = code ? render(t, "statusCode", { code }) : "";
    return withNotes({ replies: [{ text: render(t, "status", { code: codeLine }) }], state, outcome: { kind: "status", code } });
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

async function takeAction(deps: TurnDeps, action: string, state: ConversationState): Promise<TurnResult> {
  const stale = (): TurnResult => ({ replies: [{ text: render(deps.templates, "staleChoice") }], state, outcome: { kind: "stale_choice" } });
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
