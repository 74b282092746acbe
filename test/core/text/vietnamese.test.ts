import { describe, expect, it } from "vitest";
import { foldedTokens, foldText, hasDiacritics, normalizeText } from "../../../src/core/text/vietnamese.ts";

describe("normalizeText", () => {
  it("moves the tone mark to the second vowel in the open rhymes oa, oe and uy", () => {
    expect(normalizeText("hòa")).toBe("hoà");
    expect(normalizeText("khỏe")).toBe("khoẻ");
    expect(normalizeText("thủy")).toBe("thuỷ");
    expect(normalizeText("Ủy ban nhân dân")).toBe("uỷ ban nhân dân");
  });

  it("gives the same text whichever way the citizen placed the mark", () => {
    expect(normalizeText("Hòa Bình")).toBe(normalizeText("Hoà Bình"));
    expect(normalizeText("sức khỏe")).toBe(normalizeText("sức khoẻ"));
  });

  it("moves the mark when the rhyme ends a word before punctuation", () => {
    expect(normalizeText("hòa.")).toBe("hoà.");
    expect(normalizeText("(thủy)")).toBe("(thuỷ)");
  });

  it("lower-cases and composes decomposed input (NFD) into NFC", () => {
    const decomposed = "ĐĂNG KÝ KHAI SINH".normalize("NFD");
    const out = normalizeText(decomposed);
    expect(out).toBe("đăng ký khai sinh");
    expect(out).toBe(out.normalize("NFC"));
  });

  it("also normalises the tone position in decomposed input", () => {
    expect(normalizeText("ho\u0300a")).toBe("hoà");
  });

  it("collapses runs of whitespace and trims the ends", () => {
    expect(normalizeText("  đăng   ký\t\nkhai sinh  ")).toBe("đăng ký khai sinh");
  });
});

describe("foldText", () => {
  it("removes every diacritic and turns đ into d", () => {
    expect(foldText("Đăng ký khai sinh")).toBe("dang ky khai sinh");
    expect(foldText("ĐẮK LẮK")).toBe("dak lak");
    expect(foldText("Nguyễn Thị Thủy")).toBe("nguyen thi thuy");
  });

  it("folds both tone positions to the same text", () => {
    expect(foldText("hòa")).toBe(foldText("hoà"));
  });

  it("keeps digits and punctuation", () => {
    expect(foldText("Mẫu số 01/ĐKX")).toBe("mau so 01/dkx");
  });
});

describe("foldedTokens", () => {
  it("splits folded text into words of letters and digits only", () => {
    expect(foldedTokens("Thủ tục: đăng-ký (lần 2)!")).toEqual(["thu", "tuc", "dang", "ky", "lan", "2"]);
  });

  it("splits a procedure code at its dots", () => {
    expect(foldedTokens("1.001193")).toEqual(["1", "001193"]);
  });

  it("returns no words for text without letters or digits", () => {
    expect(foldedTokens(" … 😀 !? ")).toEqual([]);
  });
});

describe("hasDiacritics", () => {
  it("tells text typed with Vietnamese marks from text typed without", () => {
    expect(hasDiacritics("đăng ký khai sinh")).toBe(true);
    expect(hasDiacritics("dang ky khai sinh")).toBe(false);
  });

  it("counts đ alone as a diacritic", () => {
    expect(hasDiacritics("dk đc")).toBe(true);
    expect(hasDiacritics("Đ")).toBe(true);
  });

  it("does not mistake capital letters or emoji for diacritics", () => {
    expect(hasDiacritics("DANG KY KHAI SINH")).toBe(false);
    expect(hasDiacritics("ok 👍")).toBe(false);
  });
});
