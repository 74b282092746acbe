import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { compileLexicon, LexiconFile } from "../../../src/core/text/lexicon.ts";
import { analyseQuery, MAX_QUERY_CHARS } from "../../../src/core/retrieval/query.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const lexicon = compileLexicon(LexiconFile.parse(JSON.parse(readFileSync(path.join(ROOT, "knowledge/lexicon.json"), "utf8"))));
const analyse = (text: string, options?: Parameters<typeof analyseQuery>[2]) => analyseQuery(text, lexicon, options);

describe("analysing a question with the real lexicon", () => {
  describe("abbreviations", () => {
    it("expands the short forms citizens type into the catalogue's words", () => {
      const q = analyse("đk ks cho con");
      expect(q.terms.slice(0, 4)).toEqual(["dang", "ky", "khai", "sinh"]);
      expect(q.bigrams).toContain("khai sinh");
    });

    it("marks expanded words as coming from the lexicon, and words typed by the citizen as not", () => {
      const q = analyse("cccd bị hỏng");
      expect(q.lexical).toEqual(["can", "cuoc"]);
      expect(q.accentedTerms).toContain("hỏng");
      expect(q.accentedTerms).not.toContain("căn");
    });

    it("drops an abbreviation in favour of its expansion unless the catalogue uses it too", () => {
      expect(analyse("bhxh một lần").terms).not.toContain("bhxh");
      const kept = analyse("bhxh một lần", { keepAbbreviation: (w) => w === "bhxh" });
      expect(kept.terms.slice(0, 5)).toEqual(["bhxh", "bao", "hiem", "xa", "hoi"]);
    });

    it("lets a short form written with tone marks answer to its unmarked spelling too", () => {
      const own = compileLexicon({ abbreviations: { "đkx": "đăng ký xe" }, phrases: {}, stopwords: [] });
      expect(analyseQuery("dkx", own).terms).toEqual(["dang", "ky", "xe"]);
      expect(analyseQuery("đkx", own).terms).toEqual(["dang", "ky", "xe"]);
    });
  });

  describe("stop phrases", () => {
    it("removes the stop phrase “thủ tục” so the procedure's own name is what is searched", () => {
      expect(analyse("Thủ tục đăng ký kết hôn").terms).toEqual(["dang", "ky", "ket", "hon"]);
    });

    it("removes stop phrases before phrases are rewritten, so “mới mất mấy ngày” about a new passport does not read as a death", () => {
      const q = analyse("làm hộ chiếu mới mất mấy ngày");
      expect(q.phrases).not.toContain("moi mat");
      expect(q.terms).not.toContain("khai");
      expect(q.terms).not.toContain("tu");
      expect(q.terms).toEqual(expect.arrayContaining(["ho", "chieu"]));
    });

    it("leaves nothing to search when the question is only about the procedure in general", () => {
      expect(analyse("thủ tục hành chính").terms).toEqual([]);
    });
  });

  describe("phrases", () => {
    it("rewrites the citizen's phrase to the catalogue's wording", () => {
      const q = analyse("làm sổ đỏ");
      expect(q.phrases).toEqual(["so do"]);
      expect(q.terms).toEqual(["giay", "chung", "nhan", "quyen", "su", "dung", "dat"]);
    });

    it("recognises the phrase typed without tone marks too", () => {
      expect(analyse("lam so do").terms).toEqual(analyse("làm sổ đỏ").terms);
    });

    it("prefers the longest phrase: “photo công chứng” is one phrase, not “photo” plus “công chứng”", () => {
      const q = analyse("photo công chứng giấy khai sinh");
      expect(q.phrases).toContain("photo cong chung");
      expect(q.phrases).not.toContain("photo");
      expect(q.phrases).not.toContain("cong chung");
      expect(q.bigrams).toContain("chung thuc");
    });

    it("reads “quốc tịch hàn quốc” as a foreign element, not as the words quốc tịch", () => {
      const q = analyse("kết hôn với người quốc tịch hàn quốc");
      expect(q.phrases).toContain("quoc tich han quoc");
      expect(q.bigrams).toContain("yeu to");
      expect(q.terms).not.toContain("han");
    });
  });

  describe("stopwords", () => {
    it("with tone marks, removes “đang” (now) but keeps “đăng” (register)", () => {
      const q = analyse("tôi đang muốn đăng ký tạm trú");
      expect(q.terms).toEqual(["dang", "ky", "tam", "tru"]);
      expect(q.accentedTerms).toEqual(["đăng", "ký", "tạm", "trú"]);
    });

    it("without tone marks, removes an ambiguous folded stopword unless told it is a catalogue word", () => {
      expect(analyse("dang ky tam tru").terms).toEqual(["ky", "tam", "tru"]);
      expect(analyse("dang ky tam tru", { ambiguousStop: (w) => w === "dang" }).terms).toEqual(["dang", "ky", "tam", "tru"]);
    });

    it("does not pair words across a removed stopword", () => {
      const q = analyse("khai sinh và kết hôn");
      expect(q.bigrams).toEqual(["khai sinh", "ket hon"]);
    });
  });

  describe("the analysed question", () => {
    it("says whether the citizen typed tone marks", () => {
      expect(analyse("đăng ký khai sinh").hasDiacritics).toBe(true);
      expect(analyse("dang ky khai sinh").hasDiacritics).toBe(false);
    });

    it("remembers the accented forms a folded word was typed in", () => {
      expect(analyse("giấy xác nhận").accents).toEqual({ giay: ["giấy"], xac: ["xác"], nhan: ["nhận"] });
    });

    it("normalises the question: NFC, lower case, one tone position", () => {
      expect(analyse("Hòa Giải  Ở CƠ SỞ".normalize("NFD")).normalized).toBe("hoà giải ở cơ sở");
    });

    it("cuts a very long story instead of rejecting it, and still finds the question at its start", () => {
      const q = analyse(`đăng ký khai sinh ${"rất ".repeat(2000)}`);
      expect(q.normalized.length).toBeLessThanOrEqual(MAX_QUERY_CHARS);
      expect(q.bigrams).toContain("khai sinh");
    });

    it("lists each word and pair once even when the question repeats itself", () => {
      const q = analyse("khai sinh khai sinh khai sinh");
      expect(q.terms).toEqual(["khai", "sinh"]);
      expect(q.bigrams.filter((b) => b === "khai sinh")).toHaveLength(1);
    });
  });
});

describe("regressions found in review", () => {
  it("removes “mất bao lâu” whole, so asking how long a new passport takes is not read as a death", () => {
    const q = analyse("làm hộ chiếu mới mất bao lâu");
    expect(q.terms).not.toContain("khai");
    expect(q.terms).not.toContain("mat");
  });

  it("drops short forms of stopwords (e → em, mun → muốn) like the stopwords themselves", () => {
    expect(analyse("e mun lam ks").terms).toEqual(analyse("em muốn làm ks").terms);
  });

  it("rewrites the spelling “đăng kí” to “đăng ký”", () => {
    expect(analyse("Đăng kí kết hôn").terms).toEqual(["dang", "ky", "ket", "hon"]);
  });
});

