import { z } from "zod";
import {
  PortalProcedure,
  type ChannelKind,
  type ChannelRow,
  type DocumentRow,
  type Level,
  type timeUnits,
} from "../../core/procedure.ts";

/**
 * Reads one record in the national public-service portal's format (as in shared/catalogue): every
 * field a string, tables flattened into run-together text. Returns the structured procedure and
 * every field it could not fully parse, keeping the original text where a part was not understood.
 */

export const PortalRecord = z.looseObject({
  ma_thu_tuc: z.string({ error: "has no ma_thu_tuc (procedure code)" }).trim().min(1, "has an empty ma_thu_tuc (procedure code)"),
  ten_thu_tuc: z.string({ error: "has no ten_thu_tuc (name)" }).trim().min(1, "has an empty ten_thu_tuc (name)"),
  detail_url: z.string().optional(),
  so_quyet_dinh: z.string().optional(),
  cap_thuc_hien: z.string().optional(),
  loai_thu_tuc: z.string().optional(),
  linh_vuc: z.string().optional(),
  doi_tuong_thuc_hien: z.string().optional(),
  co_quan_co_tham_quyen: z.string().optional(),
  co_quan_thuc_hien: z.string().optional(),
  dia_chi_tiep_nhan: z.string().optional(),
  trinh_tu_thuc_hien: z.string().optional(),
  cach_thuc_thuc_hien: z.string().optional(),
  thanh_phan_ho_so: z.string().optional(),
  yeu_cau_dieu_kien: z.string().optional(),
  ket_qua_xu_ly: z.string().optional(),
  can_cu_phap_ly: z.string().optional(),
});

export interface ParseWarning {
  field: string;
  message: string;
}

export interface ParseStats {
  channelRows: number;
  channelRowsClean: number;
  documentRows: number;
  documentRowsClean: number;
}

export type ParseOutcome =
  | { ok: true; procedure: PortalProcedure; warnings: ParseWarning[]; stats: ParseStats }
  | { ok: false; code: string | null; reason: string };

const NO_INFO = /^(Không có thông tin|Không có|Không)\.?$/i;

/** Trims, collapses whitespace, NFC; "Không có thông tin" and empty become null. */
export function clean(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const s = value.normalize("NFC").replace(/[\t\u00a0 ]+/g, " ").replace(/\s*\n\s*/g, "\n").trim();
  return s === "" || NO_INFO.test(s) ? null : s;
}

export function parsePortalRecord(raw: unknown): ParseOutcome {
  const parsed = PortalRecord.safeParse(raw);
  if (!parsed.success) {
    const code = typeof raw === "object" && raw && "ma_thu_tuc" in raw ? String((raw as { ma_thu_tuc: unknown }).ma_thu_tuc) : null;
    return { ok: false, code: code || null, reason: `record ${parsed.error.issues.map((i) => i.message).join("; ")}` };
  }
  const r = parsed.data;
  const warnings: ParseWarning[] = [];
  const channels = parseChannels(r.cach_thuc_thuc_hien ?? "", warnings);
  const documents = parseDocuments(r.thanh_phan_ho_so ?? "", warnings);
  const candidate = {
    code: r.ma_thu_tuc.trim(),
    name: clean(r.ten_thu_tuc) ?? r.ten_thu_tuc.trim(),
    level: parseLevels(r.cap_thuc_hien ?? "", warnings),
    field: clean(r.linh_vuc),
    agency: clean(r.co_quan_thuc_hien),
    competentAuthority: clean(r.co_quan_co_tham_quyen),
    audience: clean(r.doi_tuong_thuc_hien),
    channels: channels.rows,
    documents: documents.rows,
    result: parseResults(r.ket_qua_xu_ly ?? ""),
    legalBasis: parseLegalBasis(r.can_cu_phap_ly ?? "", warnings),
    decision: clean(r.so_quyet_dinh),
    sourceUrl: parseUrl(r.detail_url, warnings),
    officialSteps: clean(r.trinh_tu_thuc_hien),
    officialConditions: clean(r.yeu_cau_dieu_kien),
    procedureType: clean(r.loai_thu_tuc),
    receivingAddress: clean(r.dia_chi_tiep_nhan),
  };
  const valid = PortalProcedure.safeParse(candidate);
  if (!valid.success) {
    return {
      ok: false,
      code: candidate.code,
      reason: valid.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    };
  }
  return {
    ok: true,
    procedure: valid.data,
    warnings,
    stats: {
      channelRows: channels.rows.length,
      channelRowsClean: channels.clean,
      documentRows: documents.rows.length,
      documentRowsClean: documents.clean,
    },
  };
}

// ---------------------------------------------------------------- levels

const LEVELS: Record<string, Level> = {
  "cấp bộ": "ministry",
  "cấp tỉnh": "province",
  "cấp xã": "commune",
  "cơ quan khác": "other",
};

function parseLevels(text: string, warnings: ParseWarning[]): Level[] {
  const out: Level[] = [];
  for (const part of text.normalize("NFC").split(/[,;]/).map((s) => s.trim()).filter(Boolean)) {
    const level = LEVELS[part.toLowerCase()];
    if (level) out.push(level);
    else warnings.push({ field: "cap_thuc_hien", message: `unknown level "${part}"` });
  }
  return [...new Set(out)];
}

function parseUrl(url: string | undefined, warnings: ParseWarning[]): string | null {
  const s = clean(url);
  if (!s) return null;
  if (z.url({ protocol: /^https?$/ }).safeParse(s).success) return s;
  warnings.push({ field: "detail_url", message: `not a web address: "${s.slice(0, 80)}"` });
  return null;
}

// ---------------------------------------------------------------- channels

const CHANNEL_HEADER = "Hình thức nộpThời gianPhí, lệ phíMô tả";
const CHANNEL_LABELS: Record<string, ChannelKind> = {
  "Trực tiếp": "in_person",
  "Trực tuyến": "online",
  "Dịch vụ bưu chính": "postal",
};
/**
 * A row starts with a channel label directly followed by its time column. Descriptions also mention
 * channels ("Trực tiếp: nộp hồ sơ tại…"), but never followed by a number or "Không có thông tin".
 */
const ROW_START = /(Trực tiếp|Trực tuyến|Dịch vụ bưu chính)(?=\s*(?:\d|Không|Trong ngày|Ngay))/g;

const TIME_UNITS: [RegExp, (typeof timeUnits)[number]][] = [
  [/^Ngày làm việc/i, "working_day"],
  [/^Giờ làm việc/i, "working_hour"],
  [/^Ngày/i, "day"],
  [/^Giờ/i, "hour"],
  [/^Tháng/i, "month"],
  [/^Năm/i, "year"],
  [/^Phút/i, "minute"],
  [/^Tuần/i, "week"],
];
const CURRENCY = /^(Việt Nam Đồng|VNĐ|VND|Đồng|đồng|USD|EUR)/;
const AMOUNT = /^(\d{1,3}(?:[,.]\d{3})+|\d+)/;

function parseChannels(raw: string, warnings: ParseWarning[]): { rows: ChannelRow[]; clean: number } {
  let body = raw.normalize("NFC").trim();
  if (body.startsWith(CHANNEL_HEADER)) body = body.slice(CHANNEL_HEADER.length);
  else if (body !== "") warnings.push({ field: "cach_thuc_thuc_hien", message: "table header missing; rows read anyway" });
  const starts = [...body.matchAll(ROW_START)];
  if (starts.length === 0) {
    if (clean(body)) warnings.push({ field: "cach_thuc_thuc_hien", message: `no channel row recognised in "${body.slice(0, 120)}"` });
    return { rows: [], clean: 0 };
  }
  if (clean(body.slice(0, starts[0]!.index))) {
    warnings.push({ field: "cach_thuc_thuc_hien", message: `text before the first row ignored: "${body.slice(0, starts[0]!.index).slice(0, 80)}"` });
  }
  const rows: ChannelRow[] = [];
  let cleanRows = 0;
  starts.forEach((m, i) => {
    const label = m[1]!;
    const end = i + 1 < starts.length ? starts[i + 1]!.index : body.length;
    const segment = body.slice(m.index + label.length, end);
    const row = parseChannelRow(CHANNEL_LABELS[label]!, segment);
    rows.push(row.row);
    if (row.problems.length === 0) cleanRows++;
    for (const p of row.problems) warnings.push({ field: "cach_thuc_thuc_hien", message: `${label}: ${p}` });
  });
  return { rows, clean: cleanRows };
}

function parseChannelRow(channel: ChannelKind, segment: string): { row: ChannelRow; problems: string[] } {
  const problems: string[] = [];
  let rest = segment.replace(/^\s+/, "");
  let timeLimit: ChannelRow["timeLimit"];

  const number = /^(\d+(?:[.,]\d+)?)\s*/.exec(rest);
  const unitMatch = number ? TIME_UNITS.find(([re]) => re.test(rest.slice(number[0].length))) : undefined;
  if (number && unitMatch) {
    const unitText = unitMatch[0].exec(rest.slice(number[0].length))![0];
    const consumed = number[0].length + unitText.length;
    timeLimit = { text: rest.slice(0, consumed).trim(), value: Number(number[1]!.replace(",", ".")), unit: unitMatch[1] };
    rest = rest.slice(consumed);
  } else if (/^\d/.test(rest)) {
    // A bare number with no unit, run together with the fee column: "1Miễn phí", "140,000 VNĐ".
    const digits = /^\d+/.exec(rest)![0];
    const after = rest.slice(digits.length);
    if (/^[,.]\d{3}/.test(after) || (/^\d/.test(after) === false && !/^\s*(Việt Nam Đồng|VNĐ|VND|USD)/.test(after))) {
      const split = splitRunTogetherAmount(rest);
      if (split) {
        timeLimit = { text: split.time, value: Number(split.time), unit: null };
        rest = rest.slice(split.time.length);
        problems.push(`time and fee ran together in "${split.original}"; read as time ${split.time} and fee ${split.fee} (check)`);
      } else {
        timeLimit = { text: digits, value: Number(digits), unit: null };
        rest = after;
      }
    } else if (digits.length > 1 && /^\s*(Việt Nam Đồng|VNĐ|VND)/.test(after)) {
      // "120 VNĐ": a one-digit time glued to a fee that lost its thousands ("20.000 vnđ" in the note).
      timeLimit = { text: digits.slice(0, 1), value: Number(digits.slice(0, 1)), unit: null };
      rest = rest.slice(1);
      problems.push(`time and fee ran together in "${digits}${after.slice(0, 12).trimEnd()}"; read as time ${digits.slice(0, 1)} (check)`);
    } else {
      timeLimit = { text: digits, value: Number(digits), unit: null };
      rest = after;
    }
  } else {
    const m = /^(Không có thông tin|Không quy định|Không(?=\s*(?:Miễn phí|Không có thông tin|\d))|Trong ngày|Ngay[^A-ZĐ0-9]*|Không phải trả kết quả[^A-ZĐ0-9]*?(?=Miễn phí|Không có thông tin|\d|$))/.exec(rest);
    if (m) {
      const t = m[1]!.trim();
      timeLimit = { text: t, value: t === "Trong ngày" ? 1 : null, unit: t === "Trong ngày" ? "day" : null };
      rest = rest.slice(m[0].length);
    } else {
      timeLimit = { text: "", value: null, unit: null };
      problems.push(`time not recognised in "${rest.slice(0, 60)}"`);
    }
  }

  rest = rest.replace(/^\s+/, "");
  let fee: ChannelRow["fee"];
  const amount = AMOUNT.exec(rest);
  const currency = amount ? CURRENCY.exec(rest.slice(amount[0].length).replace(/^\s+/, "")) : null;
  if (/^Miễn phí/i.test(rest)) {
    fee = { text: "Miễn phí", amountVnd: 0 };
    rest = rest.slice("Miễn phí".length);
  } else if (/^Không có thông tin/.test(rest)) {
    fee = { text: "Không có thông tin", amountVnd: null };
    rest = rest.slice("Không có thông tin".length);
  } else if (amount && currency) {
    const ws = /^\s*/.exec(rest.slice(amount[0].length))![0];
    const text = `${amount[0]} ${currency[0]}`;
    const value = Number(amount[0].replace(/[,.]/g, ""));
    const vnd = /USD|EUR/.test(currency[0]) ? null : value;
    fee = { text, amountVnd: vnd, foreign: vnd === null ? text : null };
    if (vnd !== null && vnd > 0 && vnd < 1000) problems.push(`fee "${text}" is under 1,000 đồng and may have lost its thousands (check the note)`);
    rest = rest.slice(amount[0].length + ws.length + currency[0].length);
  } else {
    const until = rest.search(/\(/);
    const text = (until >= 0 ? rest.slice(0, until) : rest).trim().slice(0, 300);
    fee = { text, amountVnd: null };
    if (text === "") problems.push("fee missing");
    else problems.push(`fee not recognised: "${text.slice(0, 60)}"`);
    rest = until >= 0 ? rest.slice(until) : "";
  }

  let note = clean(rest);
  if (note && note.startsWith("(") && note.endsWith(")") && balanced(note.slice(1, -1))) note = clean(note.slice(1, -1));
  return { row: { channel, timeLimit, fee, note }, problems };
}

/** "140,000 VNĐ" → time 1, fee 40,000: the only split whose fee has valid thousands grouping. */
function splitRunTogetherAmount(rest: string): { time: string; fee: string; original: string } | null {
  const m = /^(\d+)((?:[,.]\d{3})+)/.exec(rest);
  if (!m) return null;
  const digits = m[1]!;
  for (let cut = 1; cut < digits.length; cut++) {
    const feeHead = digits.slice(cut);
    if (feeHead.length <= 3 && !feeHead.startsWith("0")) {
      return { time: digits.slice(0, cut), fee: feeHead + m[2], original: m[0] };
    }
  }
  return null;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const ch of s) {
    if (ch === "(") depth++;
    else if (ch === ")" && --depth < 0) return false;
  }
  return depth === 0;
}

// ---------------------------------------------------------------- documents

const DOC_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng";
/** "1 bản chính", "0 bản chính,1 bản sao": the quantity column that ends each document row. */
const QUANTITY = /(\d+)\s*bản\s*(chính|sao|chụp)(?:\s*[,;]\s*(\d+)\s*bản\s*(chính|sao|chụp))?/gu;
const FORM_FILE = /\.(docx?|pdf|xlsx?|zip|rar|odt)$/i;

function parseDocuments(raw: string, warnings: ParseWarning[]): { rows: DocumentRow[]; clean: number } {
  const text = raw.normalize("NFC");
  if (!clean(text)) return { rows: [], clean: 0 };
  const sections = text.split(DOC_HEADER);
  if (sections.length === 1) {
    warnings.push({ field: "thanh_phan_ho_so", message: "no document table recognised; kept as one entry" });
    return { rows: [{ group: null, name: clean(text)!.slice(0, 2000), form: null, copies: null }], clean: 0 };
  }
  const rows: DocumentRow[] = [];
  let cleanRows = 0;
  let group = headingOf(sections[0]!);
  for (let s = 1; s < sections.length; s++) {
    const body = sections[s]!;
    let cursor = 0;
    for (const q of body.matchAll(QUANTITY)) {
      const after = body.slice(q.index + q[0].length);
      // "1 bản sao có chứng thực" inside a name is followed by lower-case text; a row's end is not.
      if (/^\s*\p{Ll}/u.test(after)) continue;
      const rowText = body.slice(cursor, q.index);
      cursor = q.index + q[0].length;
      const nameAndForm = clean(rowText.replace(/^[\s\-+*]+/, ""));
      if (!nameAndForm) continue;
      const { name, form, problem } = splitForm(nameAndForm);
      const copies = { original: 0, copy: 0 };
      for (const [n, kind] of [[q[1], q[2]], [q[3], q[4]]] as const) {
        if (n === undefined) continue;
        if (kind === "chính") copies.original += Number(n);
        else copies.copy += Number(n);
      }
      rows.push({ group, name, form, copies });
      if (problem) warnings.push({ field: "thanh_phan_ho_so", message: problem });
      else cleanRows++;
    }
    const tail = body.slice(cursor);
    if (s + 1 < sections.length) {
      group = headingOf(tail) ?? group;
    } else if (clean(tail.replace(/^[\s\-+*]+$/, ""))) {
      const t = clean(tail)!;
      rows.push({ group, name: t.slice(0, 2000), form: null, copies: null });
      warnings.push({ field: "thanh_phan_ho_so", message: `last row has no quantity: "${t.slice(0, 80)}"` });
    }
  }
  return { rows, clean: cleanRows };
}

function headingOf(text: string): string | null {
  const h = clean(text.replace(/^[\s\-+*]+/, "").replace(/[:\s]+$/, ""));
  return h ? h.slice(0, 500) : null;
}

/**
 * "Tờ khai … (Mẫu TK01)Mẫu TK01 Tờ khai.docx" → name and form. The form's file name is glued to the
 * end of the document's name; it starts after a closing bracket or full stop, or where a lower-case
 * letter runs into an upper-case one.
 */
function splitForm(text: string): { name: string; form: string | null; problem?: string } {
  if (!FORM_FILE.test(text)) return { name: text, form: null };
  const boundaries = [...text.matchAll(/(?<=[)\].;:”"]|\p{Ll})\s*(?=[\p{Lu}\d])/gu)].map((m) => m.index + m[0].length);
  for (const at of boundaries) {
    const name = text.slice(0, at).trim();
    const form = text.slice(at).trim();
    if (name.length >= 3 && form.length <= 250 && !/[()]/.test(form.replace(/\([^()]*\)/g, ""))) {
      return { name, form };
    }
  }
  return { name: text, form: null, problem: `form file name could not be separated from "${text.slice(0, 80)}"` };
}

// ---------------------------------------------------------------- results and legal basis

function parseResults(raw: string): string[] {
  let text = raw.normalize("NFC");
  const furniture = text.search(/Từ khóa|Chọn cơ quan thực hiện/);
  if (furniture >= 0) text = text.slice(0, furniture);
  return text
    .split(/Mã:\s*KQ[\w.\-]*/u)
    .map((s) => clean(s))
    .filter((s): s is string => s !== null);
}

const LEGAL_HEADER = "Tên văn bản pháp lýMã văn bản";
/** Document numbers: 68/2020/QH14, 118/2025/NĐ-CP, 66.7/2025/NQ-CP, 1523/QĐ-BCA-C06. */
const LEGAL_SEGMENT = String.raw`(?:TTg|(?:[A-ZĐ](?!\p{Ll}))+\d{0,2})`;
const LEGAL_CODE = new RegExp(String.raw`\d+(?:\.\d+)?\/(?:\d{4}\/)?${LEGAL_SEGMENT}(?:\s?-\s?${LEGAL_SEGMENT})*`, "gu");

function parseLegalBasis(raw: string, warnings: ParseWarning[]): { title: string; code: string | null }[] {
  let text = raw.normalize("NFC").trim();
  if (!clean(text)) return [];
  if (text.startsWith(LEGAL_HEADER)) text = text.slice(LEGAL_HEADER.length);
  const out: { title: string; code: string | null }[] = [];
  let cursor = 0;
  for (const m of text.matchAll(LEGAL_CODE)) {
    const before = text.slice(Math.max(0, m.index - 4), m.index);
    const after = text.slice(m.index + m[0].length);
    // The code column follows the title directly; a number inside a title is preceded by "số ".
    if (/số\s*$/i.test(before)) continue;
    if (after !== "" && !/^\s*(?:\p{Lu}|$)/u.test(after)) continue;
    const title = clean(text.slice(cursor, m.index));
    if (title) out.push({ title: title.slice(0, 1000), code: m[0] });
    cursor = m.index + m[0].length;
  }
  const tail = clean(text.slice(cursor));
  if (tail) {
    out.push({ title: tail.slice(0, 1000), code: null });
    if (out.length === 1) warnings.push({ field: "can_cu_phap_ly", message: "no document number recognised; kept as text" });
  }
  return out;
}
