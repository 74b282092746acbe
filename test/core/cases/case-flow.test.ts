import { beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { factorAnswer, subscribeAction, subscribedCode, type CaseDeps } from "../../../src/core/cases/case-flow.ts";
import { statusNotification } from "../../../src/core/cases/explain.ts";
import { createAssistant, type DetailedAssistant } from "../../../src/core/dialogue/assistant.ts";
import { compileDialogue, DialogueFile } from "../../../src/core/dialogue/intents.ts";
import { ActionPayload, type InboundMessage } from "../../../src/core/dialogue/messages.ts";
import { validateTemplates } from "../../../src/core/dialogue/templates.ts";
import { RetrievalConfig } from "../../../src/core/retrieval/config.ts";
import { compileLexicon, LexiconFile } from "../../../src/core/text/lexicon.ts";
import { dossier, FixedProcedureSearch, InMemoryCaseRepository, InMemoryConversationStore, InMemoryRateLimiter, termStatsOf } from "../../fakes/in-memory.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
const lexicon = compileLexicon(LexiconFile.parse(readJson("knowledge/lexicon.json")));
const config = RetrievalConfig.parse(readJson("knowledge/retrieval.json"));
const rules = compileDialogue(DialogueFile.parse(readJson("knowledge/dialogue.json")));
const templates = validateTemplates(readJson("prompts/replies.vi.json"));

const vn = (s: string) => new Date(`${s}+07:00`);
const CODE = "000.00.12.H29-250312-0042";
const SUPPLEMENT = dossier({
  code: CODE,
  procedureName: "Đăng ký thường trú",
  channel: 1,
  status: 5,
  vendorStatus: "Chờ bổ sung",
  receivedAt: vn("2025-03-12T09:00:00"),
  appointmentAt: vn("2025-03-19T17:00:00"),
  supplements: [{ requestedAt: vn("2025-03-14T10:00:00"), resolvedAt: null, items: ["Giấy xác nhận chỗ ở hợp pháp"] }],
});
const HISTORY = [
  { occurredAt: vn("2025-03-12T09:00:00"), status: 2 as const, vendorStatus: null, note: null },
  { occurredAt: vn("2025-03-13T09:00:00"), status: 4 as const, vendorStatus: null, note: "Chuyển phòng chuyên môn" },
  { occurredAt: vn("2025-03-14T10:00:00"), status: 5 as const, vendorStatus: "Chờ bổ sung", note: "Thiếu giấy xác nhận chỗ ở" },
];
const LATE = dossier({
  code: "000.00.21.H55-250807-0013",
  procedureName: "Cấp giấy phép xây dựng",
  status: 4,
  receivedAt: vn("2025-08-07T09:00:00"),
  appointmentAt: vn("2025-08-20T17:00:00"),
  rescheduledAt: null,
});
const READY = dossier({ code: "2508-HC-0045123", procedureName: "Cấp hộ chiếu phổ thông", status: 9, resultDelivery: "post", receivedAt: vn("2025-08-01T09:00:00"), appointmentAt: vn("2025-08-15T17:00:00"), finishedAt: vn("2025-08-10T10:00:00") });

const chat = "chat-1";
const text = (t: string, chatId = chat): InboundMessage => ({ channel: "web", chatId, text: t, receivedAt: new Date() });
const action = (a: string, chatId = chat): InboundMessage => ({ channel: "web", chatId, action: a, receivedAt: new Date() });

describe("the dossier lookup, with in-memory dossiers and rate limits", () => {
  let now: Date;
  let repository: InMemoryCaseRepository;
  let store: InMemoryConversationStore;
  let assistant: DetailedAssistant;

  beforeEach(() => {
    now = vn("2025-08-25T10:00:00");
    repository = new InMemoryCaseRepository()
      .add(SUPPLEMENT, { factor: "6789", history: HISTORY })
      .add(LATE, { factor: "1111" })
      .add(READY, { factor: "2222" });
    store = new InMemoryConversationStore();
    const cases: CaseDeps = {
      repository,
      limiter: new InMemoryRateLimiter(() => now),
      limits: { lookups: { limit: 10, windowMs: 10 * 60_000 }, failures: { limit: 5, windowMs: 60 * 60_000 } },
      now: () => now,
    };
    const search = new FixedProcedureSearch({ candidates: [], records: {}, stats: termStatsOf([["Đăng ký khai sinh", 1]]) });
    assistant = createAssistant({
      retrieval: { search, lexicon, config },
      rules,
      templates,
      getProcedure: async () => null,
      conversations: store,
      cases,
    });
  });

  const say = async (t: string, chatId = chat) => assistant.handleDetailed(text(t, chatId));
  const allText = (r: { replies: { text: string }[] }) => r.replies.map((x) => x.text).join("\n");

  it("shows only the safe summary for a code: procedure, plain status, dates, and no history or items", async () => {
    const r = await say(`hồ sơ ${CODE} của tôi đến đâu rồi`);
    expect(r.outcome).toEqual({ kind: "status", code: CODE, result: "found" });
    const t = allText(r);
    expect(t).toContain("Đăng ký thường trú");
    expect(t).toContain("Cần bổ sung giấy tờ (Chờ bổ sung)");
    expect(t).toContain("12/03/2025");
    expect(t).toContain("19/03/2025");
    expect(t).toContain("bưu chính công ích");
    expect(t).toContain("4 số cuối");
    expect(t).not.toContain("Giấy xác nhận chỗ ở hợp pháp");
    expect(t).not.toContain("Chuyển phòng chuyên môn");
    expect(r.replies.flatMap((x) => x.choices ?? [])).toEqual([]);
    expect(store.stateOf("web", chat)?.case).toEqual({ code: CODE, awaiting: "factor" });
  });

  it("finds the full code from a shortened, lower-case prefix typed with spaces", async () => {
    const r = await say("ma hs h29 12 250312 0042 xong chua");
    expect(r.outcome).toMatchObject({ result: "found", code: CODE });
  });

  it("asks for the code when a status question has none, and continues with the next message", async () => {
    const first = await say("hồ sơ của tôi đến đâu rồi");
    expect(first.outcome).toEqual({ kind: "status", code: null, result: "asked_code" });
    expect(allText(first)).toContain("Phiếu tiếp nhận và hẹn trả kết quả");
    expect(store.stateOf("web", chat)?.case).toEqual({ awaiting: "code" });
    const second = await say(CODE);
    expect(second.outcome).toMatchObject({ result: "found", code: CODE });
  });

  it("unlocks the details with the right last 4 digits: history, items and the subscribe button", async () => {
    await say(CODE);
    const r = await say("4 số cuối sđt của tôi là 67 89");
    expect(r.outcome).toEqual({ kind: "status", code: CODE, result: "verified" });
    const t = allText(r);
    expect(t).toContain("Chuyển phòng chuyên môn");
    expect(t).toContain("Giấy xác nhận chỗ ở hợp pháp");
    expect(t).toContain("14/03/2025");
    const choices = r.replies.flatMap((x) => x.choices ?? []);
    expect(choices).toEqual([{ id: `sub:${CODE}`, label: "Nhận thông báo khi hồ sơ thay đổi" }]);
    expect(ActionPayload.safeParse(choices[0]!.id).success).toBe(true);
    expect(store.stateOf("web", chat)?.case).toEqual({ code: CODE, verified: { code: CODE, at: now.toISOString() } });
  });

  it("gives byte-identical replies for an unknown code, a malformed code, an ambiguous code and a wrong factor", async () => {
    // Two dossiers share agency, date and sequence: a shortened code naming neither unit is ambiguous.
    repository.add(dossier({ code: "000.00.33.H29-250312-0042", status: 4 }));
    const unknown = await say("hồ sơ 000.00.12.H29-250312-0043 đến đâu rồi", "a");
    const malformed = await say("hồ sơ H29.12-251332-0042 đến đâu rồi", "b");
    const ambiguous = await say("hồ sơ H29-250312-0042 đến đâu rồi", "c");
    await say(CODE, "d");
    const wrong = await say("1234", "d");
    for (const r of [unknown, malformed, ambiguous, wrong]) expect(r.outcome).toMatchObject({ kind: "status", result: "not_found" });
    expect(allText(malformed)).toBe(allText(unknown));
    expect(allText(ambiguous)).toBe(allText(unknown));
    expect(allText(wrong)).toBe(allText(unknown));
    expect(allText(unknown)).toContain("Không tìm thấy hồ sơ khớp với thông tin bạn cung cấp");
  });

  it("allows 10 lookups per 10 minutes, then says when to try again without looking up", async () => {
    for (let i = 0; i < 10; i++) expect((await say(`mã hồ sơ 000.00.12.H29-250312-${String(100 + i).padStart(4, "0")}`)).outcome).toMatchObject({ result: "not_found" });
    const finds = repository.calls.find;
    const r = await say(CODE);
    expect(r.outcome).toMatchObject({ kind: "status", result: "limited" });
    expect(allText(r)).toMatch(/thử lại sau \d+ phút/);
    expect(repository.calls.find).toBe(finds);
    // Another chat is not limited.
    expect((await say(CODE, "other")).outcome).toMatchObject({ result: "found" });
  });

  it("refuses to verify after 5 failures in an hour, even with the right digits", async () => {
    await say(CODE);
    for (let i = 0; i < 5; i++) expect((await say(`000${i}`)).outcome).toMatchObject({ result: "not_found" });
    const verifies = repository.calls.verify;
    const r = await say("6789");
    expect(r.outcome).toMatchObject({ result: "limited" });
    expect(allText(r)).toContain("thử lại sau");
    expect(repository.calls.verify).toBe(verifies);
    now = new Date(now.getTime() + 61 * 60_000);
    expect((await say("6789")).outcome).toMatchObject({ result: "verified" });
  });

  it("subscribes only after verification, within 30 minutes", async () => {
    await say(CODE);
    const early = await assistant.handleDetailed(action(`sub:${CODE}`));
    expect(early.outcome).toMatchObject({ kind: "status", result: "verify_again" });
    expect(repository.subscriptions).toEqual([]);
    await say("6789");
    const ok = await assistant.handleDetailed(action(`sub:${CODE}`));
    expect(ok.outcome).toEqual({ kind: "status", code: CODE, result: "subscribed" });
    expect(repository.subscriptions).toEqual([{ code: CODE, channel: "web", chatId: chat }]);
    now = new Date(now.getTime() + 31 * 60_000);
    expect((await assistant.handleDetailed(action(`sub:${CODE}`))).outcome).toMatchObject({ result: "verify_again" });
  });

  it("keeps the verification across an unrelated question, so the button still works", async () => {
    await say(CODE);
    await say("6789");
    await say("cảm ơn bạn");
    expect((await assistant.handleDetailed(action(`sub:${CODE}`))).outcome).toMatchObject({ result: "subscribed" });
  });

  it("answers a forged subscribe payload politely, without subscribing or throwing", async () => {
    await say(CODE);
    await say("6789");
    for (const forged of ["sub:000.00.33.H29-250312-0042", "sub:_AAAA", "sub:_____", "sub:x", "sub:::"]) {
      const r = await assistant.handleDetailed(action(forged));
      expect(r.outcome).toMatchObject({ kind: "status", result: "verify_again" });
      expect(allText(r)).toContain("xác minh");
    }
    // A payload outside the button alphabet never reaches the core: the assistant answers as to an empty message.
    expect((await assistant.handleDetailed(action("sub:_!!!"))).outcome).toEqual({ kind: "empty" });
    expect(repository.subscriptions).toEqual([]);
  });

  it("drops the factor question when the citizen asks something else", async () => {
    await say(CODE);
    const r = await say("xin chào");
    expect(r.outcome.kind).toBe("greeting");
    expect(store.stateOf("web", chat)?.case).toBeUndefined();
    expect((await say("6789")).outcome.kind).not.toBe("status");
  });

  it("asks again for exactly 4 digits when the citizen sends a full phone number", async () => {
    await say(CODE);
    const r = await say("0912345678");
    expect(r.outcome).toMatchObject({ result: "asked_factor" });
    expect(repository.calls.verify).toBe(0);
  });

  it("tells a citizen whose dossier is late about the apology letter and the feedback channel", async () => {
    const t = allText(await say("tra cứu hồ sơ 000.00.21.H55-250807-0013"));
    expect(t).toContain("quá hạn 5 ngày");
    expect(t).toContain("phiếu xin lỗi và hẹn lại ngày trả kết quả");
    expect(t).toContain("phản ánh, kiến nghị");
  });

  it("explains how to collect a finished result, and finds a receipt number", async () => {
    const r = await say("hồ sơ 2508-hc-0045123 xong chưa");
    expect(r.outcome).toMatchObject({ result: "found", code: "2508-HC-0045123" });
    expect(allText(r)).toContain("bưu chính công ích");
    expect(allText(r)).toContain("đúng hạn");
  });

  it("keeps the not-connected reply when no case repository is given", async () => {
    const search = new FixedProcedureSearch({ candidates: [], records: {}, stats: termStatsOf([["Đăng ký khai sinh", 1]]) });
    const bare = createAssistant({ retrieval: { search, lexicon, config }, rules, templates, getProcedure: async () => null, conversations: new InMemoryConversationStore() });
    const r = await bare.handleDetailed(text(`hồ sơ ${CODE}`));
    expect(r.outcome).toEqual({ kind: "status", code: CODE, result: "not_connected" });
    expect((await bare.handleDetailed(action(`sub:${CODE}`))).outcome).toMatchObject({ result: "not_connected" });
  });
});

describe("reading a second-factor answer", () => {
  it.each([
    ["1234", "1234"],
    ["12 34", "1234"],
    ["so cuoi 1234", "1234"],
    ["4 số cuối là 1234 ạ", "1234"],
    ["số điện thoại của tôi đuôi 1234", null],
  ])("reads “%s”", (input, digits) => {
    const r = factorAnswer(input);
    if (digits === null) expect(r).toBeNull();
    else expect(r).toEqual({ digits });
  });

  it("sees a number of another length as a factor attempt, and words as a new question", () => {
    expect(factorAnswer("0912345678")).toEqual({ digits: null });
    expect(factorAnswer("lệ phí bao nhiêu")).toBeNull();
  });
});

describe("the subscribe button's payload", () => {
  it("carries a code as it is when it fits, and encodes any other receipt number", () => {
    expect(subscribeAction(CODE)).toBe(`sub:${CODE}`);
    const odd = subscribeAction("BN 12/2025");
    expect(odd).not.toBeNull();
    expect(ActionPayload.safeParse(odd).success).toBe(true);
    expect(subscribedCode(odd!.slice(4))).toBe("BN 12/2025");
    expect(subscribeAction("X".repeat(60))).toBeNull();
  });
});

describe("the status notification to a subscriber", () => {
  it("names the new status and the details the verified owner needs", () => {
    const [reply] = statusNotification(SUPPLEMENT, vn("2025-03-16T10:00:00"), templates);
    expect(reply!.text).toContain(`Hồ sơ ${CODE} vừa được cập nhật: Cần bổ sung giấy tờ`);
    expect(reply!.text).toContain("Giấy xác nhận chỗ ở hợp pháp");
    expect(reply!.text).toBe(reply!.text.normalize("NFC"));
  });
});
