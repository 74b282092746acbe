import { describe, expect, it } from "vitest";
import { isCallbackData, renderReplies } from "../../../src/channels/telegram/render.ts";

describe("rendering replies as Telegram messages", () => {
  it("keeps only buttons whose payload fits Telegram's 64 ASCII bytes, and only http(s) link buttons", () => {
    const [m] = renderReplies([
      {
        text: "Chọn một",
        choices: [
          { id: "c:1.001456", label: "Cấp hộ chiếu" },
          { id: `c:${"9".repeat(70)}`, label: "Quá dài" },
          { id: "c:hộ-chiếu", label: "Không phải ASCII" },
        ],
        link: { url: "javascript:alert(1)", label: "Nguồn" },
      },
    ]);
    expect(m!.keyboard).toEqual([[{ text: "Cấp hộ chiếu", callback_data: "c:1.001456" }]]);
    expect(isCallbackData("sub:000.00.12.H29-250312-0042")).toBe(true);
    expect(isCallbackData("x".repeat(65))).toBe(false);
  });

  it("writes the link out in the fallback text used when Telegram refuses a keyboard", () => {
    const [m] = renderReplies([{ text: "Lệ phí: 200.000 đồng.", link: { url: "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001456", label: "Xem trên Cổng Dịch vụ công quốc gia" } }]);
    expect(m!.keyboard?.[0]?.[0]).toMatchObject({ url: expect.stringContaining("ma_thu_tuc=1.001456") });
    expect(m!.plain).toBe("Lệ phí: 200.000 đồng.\n\nXem trên Cổng Dịch vụ công quốc gia: https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001456");
  });

  it("shortens a long button label at a word", () => {
    const [m] = renderReplies([{ text: "x", choices: [{ id: "c:1", label: "Cấp giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu" }] }]);
    const label = m!.keyboard![0]![0]!.text;
    expect(label.length).toBeLessThanOrEqual(64);
    expect(label.endsWith("…")).toBe(true);
    expect(label).not.toMatch(/\s…$/);
  });
});
