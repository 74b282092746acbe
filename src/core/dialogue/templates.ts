/**
 * Reply templates (prompts/replies.vi.json): every text the assistant sends that is not read from a
 * procedure record. Loaded once at start; a missing template or an unknown placeholder stops start-up.
 */
export const TEMPLATE_PLACEHOLDERS = {
  welcome: [],
  help: [],
  thanks: [],
  empty: [],
  tooLong: ["limit"],
  injection: [],
  personalData: [],
  outOfScope: [],
  abstain: [],
  clarify: [],
  clarifyNumbered: [],
  status: ["code"],
  statusCode: ["code"],
  staleChoice: [],
  noProcedure: [],
  unavailable: [],
  sourceLabel: [],
  disclaimer: [],
  // The dossier lookup (src/core/cases/case-flow.ts, explain.ts).
  caseAskCode: [],
  caseNotFound: [],
  caseLimited: ["minutes"],
  caseSummary: ["code", "procedure", "status", "received", "appointment"],
  caseUnknown: [],
  caseOnTime: [],
  caseLate: ["days"],
  caseFinishedOnTime: [],
  caseFinishedLate: ["days"],
  caseStatus1: [],
  caseStatus2: [],
  caseStatus3: [],
  caseStatus4: [],
  caseStatus5: [],
  caseStatus6: [],
  caseStatus7: [],
  caseStatus8: [],
  caseStatus9: [],
  caseStatus10: [],
  caseNextWaiting: [],
  caseNextSupplement: [],
  caseSupplementAfterVerify: [],
  caseNextFees: [],
  caseFeesAfterVerify: [],
  caseNextLate: [],
  caseNextCounter: [],
  caseNextPost: [],
  caseNextOnline: [],
  caseNextCollect: [],
  caseNextReturned: [],
  caseMeaning3: [],
  caseMeaning7: [],
  caseMeaning8: [],
  caseFactorPrompt: [],
  caseFactorFormat: [],
  caseDetails: ["code"],
  caseHistoryTitle: [],
  caseSupplementTitle: [],
  caseFeesAmount: ["amount"],
  caseFeesNote: ["note"],
  caseRescheduled: ["date", "reason"],
  caseSubscribeOffer: [],
  caseSubscribeLabel: [],
  caseSubscribed: ["code"],
  caseVerifyAgain: [],
  caseNotification: ["code", "status"],
  casePrivateOnly: [],
  // Commands and channel notices (Telegram, Zalo).
  cancelled: [],
  nothingToCancel: [],
  commandStart: [],
  commandHelp: [],
  commandLookup: [],
  commandCancel: [],
  textOnly: [],
  tooFast: [],
  // The satisfaction rating (src/core/ratings/rating-flow.ts).
  ratingAsk: ["code", "procedure"],
  ratingReminder: ["code", "procedure"],
  ratingLevel3: [],
  ratingLevel2: [],
  ratingLevel1: [],
  ratingThanks: [],
  ratingAskContacts: [],
  ratingContacts0: [],
  ratingContacts1: [],
  ratingContacts2: [],
  ratingAskAttitude: [],
  ratingAttitude3: [],
  ratingAttitude2: [],
  ratingAttitude1: [],
  ratingAskConvenience: [],
  ratingConvenience3: [],
  ratingConvenience2: [],
  ratingConvenience1: [],
  ratingAskComment: [],
  ratingAskCommentDislike: [],
  ratingSkip: [],
  ratingDone: [],
  ratingCommentSaved: [],
  ratingOfferComplaint: [],
  ratingFileComplaint: [],
  ratingNoComplaint: [],
  ratingComplaintFiled: ["ref"],
  ratingAlready: ["code", "level", "date"],
  ratingNotClosed: ["code"],
  ratingVerifyFirst: [],
  ratingAskCode: [],
  ratingRateLabel: [],
} as const satisfies Record<string, readonly string[]>;

export type TemplateKey = keyof typeof TEMPLATE_PLACEHOLDERS;
export type Templates = Record<TemplateKey, string>;

export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`Reply templates are invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "TemplateError";
  }
}

/** Checks a parsed templates file; throws TemplateError listing every problem. */
export function validateTemplates(raw: unknown): Templates {
  const problems: string[] = [];
  const file = (raw ?? {}) as Record<string, unknown>;
  const out = {} as Templates;
  for (const [key, allowed] of Object.entries(TEMPLATE_PLACEHOLDERS) as [TemplateKey, readonly string[]][]) {
    const text = file[key];
    if (typeof text !== "string" || text.trim() === "") {
      problems.push(`${key}: missing`);
      continue;
    }
    if (text !== text.normalize("NFC")) problems.push(`${key}: not Unicode NFC`);
    for (const [, name] of text.matchAll(/\{([a-zA-Z]+)\}/g)) {
      if (!allowed.includes(name!)) problems.push(`${key}: unknown placeholder {${name}}`);
    }
    for (const name of allowed) if (!text.includes(`{${name}}`)) problems.push(`${key}: placeholder {${name}} is missing`);
    out[key] = text;
  }
  if (problems.length > 0) throw new TemplateError(problems);
  return out;
}

export function render(templates: Templates, key: TemplateKey, vars: Record<string, string | number> = {}): string {
  return templates[key].replace(/\{([a-zA-Z]+)\}/g, (_, name: string) => String(vars[name] ?? ""));
}
