import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { SearchCandidate, TermStats } from "../../../src/core/ports.ts";
import { RetrievalConfig } from "../../../src/core/retrieval/config.ts";
import { analyseQuery } from "../../../src/core/retrieval/query.ts";
import { correctTypos, rerank } from "../../../src/core/retrieval/rank.ts";
import { compileLexicon, LexiconFile } from "../../../src/core/text/lexicon.ts";
import { foldedTokens } from "../../../src/core/text/vietnamese.ts";
import { termStatsOf } from "../../fakes/in-memory.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(ROOT, file), "utf8"));
const config = RetrievalConfig.parse(readJson("knowledge/retrieval.json"));
const lexicon = compileLexicon(LexiconFile.parse(readJson("knowledge/lexicon.json")));

function candidate(code: string, name: string, fused = 1 / 61): SearchCandidate {
  return { code, name, keywords: [], context: "", level: ["commune"], ranks: { folded: 1 }, fused };
}

/** What retrieval does with a question: analyse, correct, rerank. */
function rank(question: string, candidates: SearchCandidate[], stats: TermStats) {
  const query = correctTypos(analyseQuery(question, lexicon), stats);
  return rerank(query, new Set(foldedTokens(query.normalized)), candidates, stats, config);
}
const codes = (ranked: { code: string }[]) => ranked.map((r) => r.code);

describe("reranking candidates", () => {
  const stats = termStatsOf([
    ["Cấp giấy phép lái xe", 6],
    ["Cấp lại giấy phép lái xe", 4],
    ["Đổi giấy phép lái xe", 4],
    ["Đăng ký khai sinh", 5],
    ["Đăng ký khai sinh có yếu tố nước ngoài", 3],
    ["Đăng ký khai tử", 5],
    ["Đăng ký kết hôn", 5],
    ["Miễn, giảm tiền thuế đất", 3],
    ["Miễn, giảm tiền thuê đất", 3],
    ["Đăng ký thuế", 10],
    ["Cho thuê đất", 6],
  ]);

  it("puts a name holding the question's words side by side above one holding the same words apart", () => {
    // Both names fold to the same words {cap, lai, giay, phep, xe}; only "cấp lại" reads as a pair in one.
    const issue = candidate("1.000001", "Cấp giấy phép lái xe");
    const reissue = candidate("1.000002", "Cấp lại giấy phép lái xe");
    const ranked = rank("cấp lại giấy phép lái xe", [issue, reissue], stats);
    expect(codes(ranked)).toEqual(["1.000002", "1.000001"]);
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });

  it("puts the plain name above one with extra words the citizen did not ask for, even when retrieval liked it better", () => {
    const foreign = candidate("1.000001", "Đăng ký khai sinh có yếu tố nước ngoài", 1 / 61);
    const plain = candidate("1.000002", "Thủ tục đăng ký khai sinh", 1 / 62);
    expect(codes(rank("đăng ký khai sinh", [foreign, plain], stats))).toEqual(["1.000002", "1.000001"]);
  });

  it("puts the name with the extra words first when the citizen asks for them", () => {
    const plain = candidate("1.000001", "Đăng ký khai sinh");
    const foreign = candidate("1.000002", "Đăng ký khai sinh có yếu tố nước ngoài");
    expect(codes(rank("đăng ký khai sinh có yếu tố nước ngoài", [plain, foreign], stats))).toEqual(["1.000002", "1.000001"]);
  });

  it("counts a word typed with tone marks for less when the name has it only with other marks (“thuế” tax vs “thuê” rent)", () => {
    // On equal scores the smaller code would come first: each time, the expected winner has the larger one.
    const rent = candidate("1.000001", "Miễn, giảm tiền thuê đất");
    const tax = candidate("1.000002", "Miễn, giảm tiền thuế đất");
    expect(codes(rank("miễn giảm tiền thuế đất", [rent, tax], stats))).toEqual(["1.000002", "1.000001"]);
    const taxFirst = candidate("1.000001", "Miễn, giảm tiền thuế đất");
    const rentSecond = candidate("1.000002", "Miễn, giảm tiền thuê đất");
    expect(codes(rank("miễn giảm tiền thuê đất", [taxFirst, rentSecond], stats))).toEqual(["1.000002", "1.000001"]);
  });

  it("treats both tone readings alike when the citizen typed no marks at all", () => {
    const rent = candidate("1.000001", "Miễn, giảm tiền thuê đất");
    const tax = candidate("1.000002", "Miễn, giảm tiền thuế đất");
    const [a, b] = rank("mien giam tien thue dat", [rent, tax], stats);
    expect(a!.score).toBeCloseTo(b!.score, 10);
  });

  it("reports how much of the question a name covers", () => {
    const [full] = rank("đăng ký kết hôn", [candidate("1.000001", "Đăng ký kết hôn")], stats);
    const [partial] = rank("đăng ký kết hôn", [candidate("1.000001", "Đăng ký khai tử")], stats);
    expect(full!.coverage).toBeCloseTo(1, 10);
    expect(full!.nameCoverage).toBeCloseTo(1, 10);
    expect(partial!.coverage).toBeGreaterThan(0);
    expect(partial!.coverage).toBeLessThan(1);
  });

  it("keeps each candidate's code, name, level and retriever ranks in the result", () => {
    const c = candidate("1.001193", "Đăng ký khai sinh");
    const [r] = rank("khai sinh", [c], stats);
    expect(r).toMatchObject({ code: "1.001193", name: "Đăng ký khai sinh", level: ["commune"], ranks: { folded: 1 } });
  });
});

describe("correcting typos", () => {
  const stats = termStatsOf(
    [
      ["Cấp hộ chiếu phổ thông", 8],
      ["Cấp giấy phép xây dựng", 6],
      ["Cấp giấy phép lái xe", 6],
      ["Đăng ký tạm trú", 4],
    ],
    500,
    [["giap", 3]], // "giáp lai" (a seal across pages) appears in the catalogue's documents
  );
  const correct = (question: string) => correctTypos(analyseQuery(question, lexicon), stats);

  it("corrects an unknown five-letter word one edit away from a catalogue word", () => {
    const q = correct("cấp hộ chiue phổ thông");
    expect(q.terms).toContain("chieu");
    expect(q.terms).not.toContain("chiue");
    expect(q.bigrams).toContain("ho chieu");
  });

  it("corrects a real word typed with marks the catalogue never uses when the fix forms a known pair", () => {
    const q = correct("xin giấp phép xây dựng");
    expect(q.terms).toContain("giay");
    expect(q.terms).not.toContain("giap");
    expect(q.bigrams).toContain("giay phep");
  });

  it("leaves words the catalogue knows untouched", () => {
    const q = analyseQuery("cấp hộ chiếu phổ thông", lexicon);
    expect(correctTypos(q, stats)).toEqual(q);
  });

  it("does not correct numbers", () => {
    const q = analyseQuery("hộ chiếu 2025", lexicon);
    expect(correctTypos(q, stats).terms).toContain("2025");
  });
});
