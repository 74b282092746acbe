import { describe, expect, it } from "vitest";
import { splitText } from "../../../src/core/text/split.ts";

const section = (title: string, lines: number) =>
  [title, ...Array.from({ length: lines }, (_, i) => `• Giấy tờ số ${i + 1}: bản sao có chứng thực hoặc bản chính để đối chiếu.`)].join("\n");

describe("splitting a long reply for a channel's limit", () => {
  it("leaves a reply that fits as one message", () => {
    expect(splitText("  Lệ phí: miễn phí.  ", 4096)).toEqual(["Lệ phí: miễn phí."]);
  });

  it("cuts between sections when a whole section fits, keeping every character", () => {
    const text = [section("Thành phần hồ sơ:", 20), section("Lệ phí:", 20), section("Nơi nộp:", 20)].join("\n\n");
    const parts = splitText(text, 2000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    expect(parts[1]!.startsWith("Lệ phí:") || parts[1]!.startsWith("•")).toBe(true);
    expect(parts.join("\n\n").replace(/\s+/g, " ")).toBe(text.replace(/\s+/g, " "));
  });

  it("cuts a single long section at list lines, never inside a word", () => {
    const text = section("Thành phần hồ sơ:", 120);
    const parts = splitText(text, 4096);
    expect(parts.length).toBe(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4096);
      expect(p.endsWith("đối chiếu.")).toBe(true);
    }
  });

  it("cuts a paragraph without line breaks after a sentence", () => {
    const sentence = "Người nộp hồ sơ nhận kết quả tại Bộ phận Một cửa hoặc qua dịch vụ bưu chính công ích. ";
    const parts = splitText(sentence.repeat(40), 1000);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(1000);
      expect(p.endsWith("công ích.")).toBe(true);
    }
  });

  it("cuts a word only when it alone is longer than the limit, and never splits an emoji", () => {
    const parts = splitText(`Xem tại ${"😀".repeat(30)}`, 15);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(15);
      expect(p).not.toMatch(/[\uD800-\uDBFF]$/);
      expect(p).not.toMatch(/^[\uDC00-\uDFFF]/);
    }
    expect(parts[0]).toBe("Xem tại");
    expect(parts.join("").replace("Xem tại", "")).toBe("😀".repeat(30));
  });
});
