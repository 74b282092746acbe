import type { Choice, Reply } from "../dialogue/messages.ts";
import type { Field } from "../dialogue/intents.ts";
import type { ChannelRow, DocumentRow } from "../procedure.ts";

/**
 * Answers built only from a procedure's structured record: every name, fee, time limit and document
 * shown here is read from the record, never invented. Where the record is silent, the answer says so.
 */

/** The record as stored: official facts, plus the curated words when the default catalogue has them. */
export interface ProcedureRecord {
  code: string;
  name: string;
  level?: string[];
  agency?: string | null;
  competentAuthority?: string | null;
  receivingAddress?: string | null;
  channels?: ChannelRow[];
  documents?: DocumentRow[];
  result?: string[];
  sourceUrl?: string | null;
  summary?: string;
  steps?: string[];
  conditions?: string[];
  onlineLevel?: "full" | "partial" | "none";
  officialSteps?: string | null;
  officialConditions?: string | null;
}

export type Section = "overview" | Field | "conditions";
export const sectionLabels: Record<Exclude<Section, "overview">, string> = {
  fees: "Lệ phí",
  time: "Thời hạn giải quyết",
  documents: "Giấy tờ cần chuẩn bị",
  where: "Nơi nộp hồ sơ",
  online: "Nộp trực tuyến",
  postal: "Nộp qua bưu điện",
  steps: "Các bước thực hiện",
  conditions: "Điều kiện",
};

const CHANNEL_LABEL: Record<ChannelRow["channel"], string> = {
  in_person: "Nộp trực tiếp",
  online: "Nộp trực tuyến",
  postal: "Qua bưu chính công ích",
};
const LEVEL_LABEL: Record<string, string> = { ministry: "cấp bộ", province: "cấp tỉnh", commune: "cấp xã", other: "cơ quan khác" };
const UNIT_LABEL: Record<string, string> = {
  working_day: "ngày làm việc",
  day: "ngày",
  hour: "giờ",
  working_hour: "giờ làm việc",
  month: "tháng",
  year: "năm",
  minute: "phút",
  week: "tuần",
};

const vnd = (n: number) => `${n.toLocaleString("vi-VN")} đồng`;
const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n).replace(/\s+\S*$/, "")}…`);

export function feeText(row: ChannelRow): string {
  const f = row.fee;
  let text: string;
  if (f.amountVnd === 0) text = "Miễn phí";
  else if (f.amountVnd !== null && f.amountVnd >= 1000) text = vnd(f.amountVnd);
  else if (f.text && f.text !== "Không có thông tin") text = f.text;
  else text = "danh mục không ghi mức phí";
  // Notes carry the cases ("miễn cho…", "50.000 đồng/lần"); an amount under 1,000 đồng lost its thousands.
  if (row.note && (f.amountVnd === null || f.amountVnd < 1000 || row.note.length < 220)) text += ` (${clip(row.note, 220)})`;
  return text;
}

export function timeText(row: ChannelRow): string {
  const t = row.timeLimit;
  if (t.value !== null && t.unit) return `${t.value.toLocaleString("vi-VN")} ${UNIT_LABEL[t.unit]}`;
  if (t.value !== null) return `${t.value.toLocaleString("vi-VN")} (danh mục công bố không ghi đơn vị)`;
  return t.text && t.text !== "Không có thông tin" ? t.text : "danh mục không ghi thời hạn";
}

function channelsOf(p: ProcedureRecord): ChannelRow[] {
  return p.channels ?? [];
}

function has(p: ProcedureRecord, c: ChannelRow["channel"]): boolean {
  return channelsOf(p).some((r) => r.channel === c);
}

function onlineSentence(p: ProcedureRecord): string {
  if (!has(p, "online")) return "Danh mục không có hình thức nộp trực tuyến cho thủ tục này.";
  switch (p.onlineLevel) {
    case "full":
      return "Có thể làm trực tuyến toàn trình (trước đây gọi là mức độ 4): nộp hồ sơ, nộp phí và nhận kết quả qua mạng hoặc qua bưu điện, không phải đến cơ quan.";
    case "partial":
      return "Có thể nộp trực tuyến một phần (trước đây gọi là mức độ 3): nộp hồ sơ qua mạng, nhưng vẫn còn ít nhất một bước phải đến cơ quan (đối chiếu bản chính, nộp phí hoặc nhận kết quả).";
    default:
      return "Có thể nộp hồ sơ trực tuyến trên Cổng Dịch vụ công quốc gia hoặc cổng dịch vụ công của tỉnh; danh mục không ghi rõ là toàn trình hay một phần.";
  }
}

function postalSentence(p: ProcedureRecord): string {
  return has(p, "postal")
    ? "Có thể gửi hồ sơ và/hoặc nhận kết quả qua dịch vụ bưu chính công ích: nhân viên bưu điện nhận hồ sơ tại bưu cục hoặc tại nhà, kiểm tra giấy tờ và thu phí, lệ phí; cước bưu chính tính theo bảng giá của doanh nghiệp bưu chính."
    : "Danh mục không có hình thức nộp qua bưu chính cho thủ tục này.";
}

function listChannels(p: ProcedureRecord): string {
  const kinds = [...new Set(channelsOf(p).map((r) => r.channel))];
  if (kinds.length === 0) return "danh mục không ghi cách thức thực hiện";
  return kinds
    .map((k) => (k === "online" && p.onlineLevel === "full" ? "trực tuyến toàn trình" : k === "online" && p.onlineLevel === "partial" ? "trực tuyến một phần" : CHANNEL_LABEL[k].replace("Nộp ", "").toLowerCase()))
    .join(", ");
}

function perChannel(p: ProcedureRecord, fn: (r: ChannelRow) => string): string[] {
  const rows = channelsOf(p);
  if (rows.length === 0) return ["• Danh mục chưa có thông tin."];
  const texts = rows.map((r) => `• ${CHANNEL_LABEL[r.channel]}: ${fn(r)}`);
  return [...new Set(texts)];
}

function copiesText(d: DocumentRow): string {
  if (!d.copies) return "";
  const parts = [];
  if (d.copies.original > 0) parts.push(`${d.copies.original} bản chính`);
  if (d.copies.copy > 0) parts.push(`${d.copies.copy} bản sao`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** The text of one section of a procedure. */
export function sectionText(p: ProcedureRecord, section: Exclude<Section, "overview">): string {
  switch (section) {
    case "fees":
      return [`Lệ phí – ${p.name}:`, ...perChannel(p, feeText)].join("\n");
    case "time":
      return [`Thời hạn giải quyết – ${p.name}:`, ...perChannel(p, timeText)].join("\n");
    case "documents": {
      const docs = p.documents ?? [];
      if (docs.length === 0) return `Danh mục chưa liệt kê thành phần hồ sơ của thủ tục “${p.name}”. Bạn vui lòng hỏi cơ quan tiếp nhận.`;
      const lines = [`Giấy tờ cần chuẩn bị – ${p.name}:`];
      let group: string | null = null;
      const shown = docs.slice(0, 10);
      for (const d of shown) {
        if (d.group && d.group !== group) {
          group = d.group;
          lines.push(`${clip(d.group, 160)}:`);
        }
        lines.push(`• ${clip(d.name, 280)}${copiesText(d)}${d.form ? ` – mẫu: ${clip(d.form, 80)}` : ""}`);
      }
      if (docs.length > shown.length) lines.push(`… và ${docs.length - shown.length} mục khác (xem đầy đủ trên Cổng Dịch vụ công quốc gia).`);
      return lines.join("\n");
    }
    case "where": {
      const lines = [`Nơi thực hiện – ${p.name}:`];
      if (p.agency) lines.push(`• Cơ quan thực hiện: ${clip(p.agency, 300)}`);
      if (p.competentAuthority && p.competentAuthority !== p.agency) lines.push(`• Cơ quan có thẩm quyền: ${clip(p.competentAuthority, 300)}`);
      if (p.receivingAddress) lines.push(`• Địa chỉ tiếp nhận: ${clip(p.receivingAddress, 300)}`);
      if (p.level && p.level.length) lines.push(`• Cấp thực hiện: ${p.level.map((l) => LEVEL_LABEL[l] ?? l).join(", ")}`);
      lines.push("• Từ 1/7/2025, Trung tâm Phục vụ hành chính công của tỉnh và của xã tiếp nhận hồ sơ không phụ thuộc địa giới hành chính trong tỉnh.");
      return lines.join("\n");
    }
    case "online":
      return `Nộp trực tuyến – ${p.name}:\n${onlineSentence(p)}`;
    case "postal":
      return `Nộp qua bưu điện – ${p.name}:\n${postalSentence(p)}`;
    case "steps": {
      if (p.steps && p.steps.length) return [`Các bước thực hiện – ${p.name}:`, ...p.steps.map((s, i) => `${i + 1}. ${s}`)].join("\n");
      if (p.officialSteps) return `Các bước thực hiện – ${p.name}:\n${clip(p.officialSteps, 1500)}`;
      return `Danh mục chưa mô tả trình tự thực hiện thủ tục “${p.name}”.`;
    }
    case "conditions": {
      if (p.conditions && p.conditions.length) return [`Điều kiện – ${p.name}:`, ...p.conditions.map((c) => `• ${c}`)].join("\n");
      if (p.officialConditions) return `Điều kiện – ${p.name}:\n${clip(p.officialConditions, 1200)}`;
      return `Danh mục không nêu điều kiện riêng cho thủ tục “${p.name}”.`;
    }
  }
}

/** The overview: what it is, where, which channels, fee and time per channel, and what to ask next. */
export function overviewText(p: ProcedureRecord): string {
  const lines = [`${p.name} (mã thủ tục ${p.code})`];
  if (p.summary) lines.push(p.summary);
  if (p.agency) lines.push(`• Cơ quan thực hiện: ${clip(p.agency, 200)}`);
  lines.push(`• Cách nộp: ${listChannels(p)}.`);
  const fees = [...new Set(channelsOf(p).map(feeShort))];
  if (fees.length) lines.push(`• Lệ phí: ${fees.length === 1 ? fees[0] : channelsOf(p).map((r) => `${CHANNEL_LABEL[r.channel].toLowerCase()} ${feeShort(r)}`).filter(uniqueFilter()).join("; ")}.`);
  const times = [...new Set(channelsOf(p).map(timeText))];
  if (times.length) lines.push(`• Thời hạn giải quyết: ${times.length === 1 ? times[0] : channelsOf(p).map((r) => `${CHANNEL_LABEL[r.channel].toLowerCase()} ${timeText(r)}`).filter(uniqueFilter()).join("; ")}.`);
  if (has(p, "online")) lines.push(`• ${onlineSentence(p)}`);
  if (p.result && p.result.length) lines.push(`• Kết quả: ${clip(p.result.join("; "), 200)}.`);
  return lines.join("\n");
}

function feeShort(r: ChannelRow): string {
  const f = r.fee;
  if (f.amountVnd === 0) return "miễn phí";
  if (f.amountVnd !== null && f.amountVnd >= 1000) return vnd(f.amountVnd);
  return clip(f.text && f.text !== "Không có thông tin" ? `${f.text}${r.note ? ` (${clip(r.note, 120)})` : ""}` : "danh mục không ghi", 200);
}

function uniqueFilter() {
  const seen = new Set<string>();
  return (s: string) => (seen.has(s) ? false : (seen.add(s), true));
}

/** Buttons for the sections the citizen has not seen yet. */
export function sectionChoices(p: ProcedureRecord, exclude: Section[]): Choice[] {
  const order: Exclude<Section, "overview">[] = ["documents", "steps", "fees", "where", "online", "postal"];
  return order.filter((s) => !exclude.includes(s)).slice(0, 4).map((s) => ({ id: `s:${p.code}:${s}`, label: sectionLabels[s] }));
}
