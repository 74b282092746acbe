import { describe, expect, it } from "vitest";
import { CsMessage } from "../../../src/channels/zalo/client.ts";
import { renderReplies } from "../../../src/channels/zalo/render.ts";

describe("rendering replies for Zalo", () => {
  it("splits a 2,500-character answer under 2,000 at a section boundary, buttons on the last part", () => {
    const first = `Hồ sơ gồm:\n${"- Tờ khai theo mẫu, bản chính có chữ ký.\n".repeat(40)}`.trim();
    const second = `Lệ phí:\n${"Miễn lệ phí đối với trường hợp đăng ký đúng hạn. ".repeat(18)}`.trim();
    const text = `${first}\n\n${second}`;
    expect(text.length).toBeGreaterThan(2_400);
    const out = renderReplies([{ text, choices: [{ id: "s:1.001:fees", label: "Lệ phí" }] }]);
    expect(out).toHaveLength(2);
    expect(out[0]!.text).toBe(first);
    expect(out[1]!.text).toBe(second);
    expect(out[0]!.buttons).toBeUndefined();
    expect(out[1]!.buttons).toEqual([{ type: "oa.query.hide", title: "Lệ phí", payload: "#s:1.001:fees" }]);
    for (const m of out) expect(CsMessage.safeParse(m).success).toBe(true);
  });

  it("choices become hidden-query buttons with short ASCII payloads; the link an open-url button", () => {
    const [m] = renderReplies([
      {
        text: "Bạn hỏi thủ tục nào?",
        choices: [
          { id: "c:1.001", label: "Đăng ký khai sinh" },
          { id: "c:1.002", label: "Đăng ký kết hôn" },
        ],
        link: { url: "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001", label: "Xem trên Cổng DVC" },
      },
    ]);
    expect(m!.buttons?.map((b) => b.type)).toEqual(["oa.query.hide", "oa.query.hide", "oa.open.url"]);
    expect(m!.buttons?.[0]?.payload).toBe("#c:1.001");
  });

  it("more than 5 choices: no buttons, a numbered list the citizen answers with a number", () => {
    const choices = Array.from({ length: 7 }, (_, i) => ({ id: `c:1.00${i}`, label: `Thủ tục số ${i + 1}` }));
    const [m] = renderReplies([{ text: "Bạn muốn hỏi thủ tục nào?", choices }]);
    expect(m!.buttons).toBeUndefined();
    expect(m!.text).toContain("1. Thủ tục số 1");
    expect(m!.text).toContain("7. Thủ tục số 7");
  });

  it("a clarification that already numbers its candidates is not numbered twice", () => {
    const choices = Array.from({ length: 6 }, (_, i) => ({ id: `c:1.00${i}`, label: `Thủ tục ${i + 1}` }));
    const text = ["Bạn hỏi thủ tục nào?", ...choices.map((c, i) => `${i + 1}. ${c.label}`), "Trả lời bằng số."].join("\n");
    const [m] = renderReplies([{ text, choices }]);
    expect(m!.text).toBe(text);
  });

  it("5 choices and a link: the link is written out rather than a sixth button", () => {
    const choices = Array.from({ length: 5 }, (_, i) => ({ id: `c:1.00${i}`, label: `Thủ tục ${i + 1}` }));
    const [m] = renderReplies([{ text: "Chọn một:", choices, link: { url: "https://dichvucong.gov.vn/x", label: "Nguồn" } }]);
    expect(m!.buttons).toHaveLength(5);
    expect(m!.text).toContain("Nguồn: https://dichvucong.gov.vn/x");
  });

  it("a payload that is not one of the core's actions never becomes a button; long titles are cut under 100", () => {
    const [m] = renderReplies([
      { text: "x", choices: [{ id: "bad payload with spaces", label: "A" }, { id: "c:1.001", label: "Thủ tục ".repeat(30) }] },
    ]);
    expect(m!.buttons).toHaveLength(1);
    expect(m!.buttons![0]!.title.length).toBeLessThanOrEqual(100);
  });
});
