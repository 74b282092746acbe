import { z } from "zod";

/**
 * The procedure model shared by the portal importer, the default catalogue and (later) answers.
 * Facts (name, fees, time limits, documents…) come from the official record; `summary`, `steps`,
 * `conditions`, `keywords` and `onlineLevel` are the project's own words for citizens.
 */

export const PROCEDURE_CODE = /^[0-9A-Za-z][0-9A-Za-z.\-_]{2,63}$/;

export const channelKinds = ["in_person", "online", "postal"] as const;
export type ChannelKind = (typeof channelKinds)[number];

export const levels = ["ministry", "province", "commune", "other"] as const;
export type Level = (typeof levels)[number];

export const topics = [
  "ho-tich",
  "chung-thuc",
  "ly-lich-tu-phap",
  "cu-tru",
  "can-cuoc",
  "ho-chieu",
  "giay-phep-lai-xe",
  "dang-ky-xe",
  "ho-kinh-doanh",
  "thue",
  "dat-dai",
  "xay-dung",
] as const;

const text = z.string().trim().min(1);
const nfc = text.refine((s) => s === s.normalize("NFC"), { message: "text must be Unicode NFC" });

export const timeUnits = ["working_day", "day", "hour", "working_hour", "month", "year", "minute", "week"] as const;

export const TimeLimit = z.object({
  /** The text as published (e.g. "7 Ngày làm việc", "Trong ngày"). */
  text: z.string(),
  value: z.number().nonnegative().nullable(),
  /** null when the portal gives a bare number with no unit. */
  unit: z.enum(timeUnits).nullable(),
});

export const Fee = z.object({
  text: z.string(),
  /** Parsed amount in VND when the fee is one amount in đồng; 0 when free; null otherwise. */
  amountVnd: z.number().int().nonnegative().nullable(),
  /** Amount in a foreign currency as published, e.g. "10 USD". */
  foreign: z.string().nullable().optional(),
});

export const ChannelRow = z.object({
  channel: z.enum(channelKinds),
  timeLimit: TimeLimit,
  fee: Fee,
  note: z.string().nullable(),
});
export type ChannelRow = z.infer<typeof ChannelRow>;

export const DocumentRow = z.object({
  /** The heading the portal groups documents under, e.g. "Giấy tờ phải nộp". */
  group: z.string().nullable(),
  name: text,
  /** The downloadable form's file name, when the portal links one. */
  form: z.string().nullable(),
  copies: z
    .object({ original: z.number().int().nonnegative(), copy: z.number().int().nonnegative() })
    .nullable(),
});
export type DocumentRow = z.infer<typeof DocumentRow>;

export const LegalRef = z.object({ title: text, code: z.string().nullable() });

/** The official facts of a procedure, whichever source they came from. */
export const ProcedureFacts = z.object({
  code: z.string().regex(PROCEDURE_CODE, "expected a procedure code such as 1.001193"),
  name: nfc,
  level: z.array(z.enum(levels)),
  field: z.string().nullable(),
  agency: z.string().nullable(),
  competentAuthority: z.string().nullable(),
  audience: z.string().nullable(),
  channels: z.array(ChannelRow),
  documents: z.array(DocumentRow),
  result: z.array(z.string()),
  legalBasis: z.array(LegalRef),
  decision: z.string().nullable(),
  sourceUrl: z.url().nullable(),
});
export type ProcedureFacts = z.infer<typeof ProcedureFacts>;

/** Facts only the portal import carries: the official wording of steps and conditions. */
export const PortalProcedure = ProcedureFacts.extend({
  officialSteps: z.string().nullable(),
  officialConditions: z.string().nullable(),
  procedureType: z.string().nullable(),
  receivingAddress: z.string().nullable(),
});
export type PortalProcedure = z.infer<typeof PortalProcedure>;

/** The project's own words about a procedure. */
export const CuratedWords = z.object({
  topic: z.enum(topics),
  summary: nfc.max(600),
  steps: z.array(nfc.max(400)).min(2).max(10),
  conditions: z.array(nfc.max(400)),
  keywords: z.array(nfc.max(80)).min(1).max(15),
  onlineLevel: z.enum(["full", "partial", "none"]),
});

/** One file of the default catalogue: `knowledge/procedures/<topic>/<code>.json`. */
export const CuratedProcedure = ProcedureFacts.extend(CuratedWords.shape)
  .strict()
  .superRefine((p, ctx) => {
    const online = p.channels.some((c) => c.channel === "online");
    if (p.onlineLevel !== "none" && !online) {
      ctx.addIssue({ code: "custom", path: ["onlineLevel"], message: `is "${p.onlineLevel}" but no online channel is listed` });
    }
    if (p.onlineLevel === "none" && online) {
      ctx.addIssue({ code: "custom", path: ["onlineLevel"], message: `is "none" but an online channel is listed` });
    }
    if (p.channels.length === 0) {
      ctx.addIssue({ code: "custom", path: ["channels"], message: "lists no channel (in person, online or postal)" });
    }
  });
export type CuratedProcedure = z.infer<typeof CuratedProcedure>;

/** The fields of a curated file that are facts, refreshed from the official record. */
export const factKeys = Object.keys(ProcedureFacts.shape) as (keyof ProcedureFacts)[];

/** A guide: `knowledge/guides/<id>.md`. */
export const Guide = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, "expected lower-case letters, digits and dashes"),
  title: nfc,
  keywords: z.array(nfc).min(1),
  body: nfc.min(50, "is too short to be a guide"),
});
export type Guide = z.infer<typeof Guide>;
