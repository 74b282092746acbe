import { describe, expect, it } from "vitest";
import { findDossierCodeIn, parseDossierCode, scanDossierCode } from "../../../src/core/cases/dossier-code.ts";
import { findDossierCode } from "../../../src/core/dialogue/intents.ts";

describe("parsing a dossier code", () => {
  it("parses a full national code and gives its canonical form and key", () => {
    expect(parseDossierCode("000.00.12.H29-250312-0042")).toEqual({
      kind: "national",
      canonical: "000.00.12.H29-250312-0042",
      agency: "H29",
      unitParts: ["000", "00", "12"],
      date: "250312",
      seq: "0042",
      key: "H29-250312-0042",
    });
  });

  it("parses a shortened unit prefix, with no canonical form", () => {
    expect(parseDossierCode("H29.22-250312-0042")).toMatchObject({ kind: "national", canonical: null, agency: "H29", unitParts: ["22"], key: "H29-250312-0042" });
    expect(parseDossierCode("G01.234-250101-0007")).toMatchObject({ agency: "G01", unitParts: ["234"], key: "G01-250101-0007" });
    expect(parseDossierCode("H12.3-250401-0321")).toMatchObject({ agency: "H12", unitParts: ["3"], key: "H12-250401-0321" });
  });

  it("accepts lower case, spaces instead of dots or dashes, and doubled dots", () => {
    const full = "000.00.12.H29-250312-0042";
    expect(parseDossierCode("000.00.12.h29-250312-0042")?.kind === "national" && parseDossierCode("000.00.12.h29-250312-0042")).toMatchObject({ canonical: full });
    expect(parseDossierCode("000.00.12 H29 250312 0042")).toMatchObject({ canonical: full });
    expect(parseDossierCode("000 00 12 h29 250312 0042")).toMatchObject({ canonical: full });
    expect(parseDossierCode("000..00.12.H29 - 250312 - 0042")).toMatchObject({ canonical: full });
    expect(parseDossierCode("h29..22-250312-0042")).toMatchObject({ unitParts: ["22"], key: "H29-250312-0042" });
  });

  it("pads the sequence to 4 digits and keeps a 5-digit sequence", () => {
    expect(parseDossierCode("H29.22-250312-042")).toMatchObject({ seq: "0042", key: "H29-250312-0042" });
    expect(parseDossierCode("H29.22-250312-12345")).toMatchObject({ seq: "12345" });
  });

  it.each([
    ["a month 13", "H29.22-251312-0042"],
    ["a 30th of February", "H29.22-250230-0042"],
    ["a 29th of February in a common year", "000.00.12.H29-250229-0042"],
    ["a two-digit sequence", "h29..22-250312-42"],
    ["two agencies", "H29.H30-250312-0042"],
    ["no agency", "000.00.12-250312-0042"],
    ["a unit segment of four digits", "0000.00.12.H29-250312-0042"],
  ])("rejects %s", (_, text) => {
    expect(parseDossierCode(text)).toBeNull();
  });

  it("accepts the 29th of February in a leap year", () => {
    expect(parseDossierCode("H29.22-240229-0042")).not.toBeNull();
  });

  it("reads a free-form receipt number, upper-cased", () => {
    expect(parseDossierCode("2508-hc-0045123")).toEqual({ kind: "receipt", canonical: "2508-HC-0045123" });
  });
});

describe("finding a dossier code inside a sentence", () => {
  it("finds a code among words, with or without tone marks", () => {
    expect(findDossierCodeIn("Hồ sơ mã 000.00.12.H29-250312-0042 của tôi đến đâu rồi ạ?")).toMatchObject({ canonical: "000.00.12.H29-250312-0042" });
    expect(findDossierCodeIn("ma hs H29.22 250312 0042 xong chua")).toMatchObject({ key: "H29-250312-0042", unitParts: ["22"] });
    expect(findDossierCodeIn("mã hs H30.8-250930-0456 xong chưa ad")).toMatchObject({ key: "H30-250930-0456" });
    expect(findDossierCodeIn("mã hồ sơ 2508-HC-0045123?")).toEqual({ kind: "receipt", canonical: "2508-HC-0045123" });
  });

  it("reports a malformed code as an attempt without a parse", () => {
    expect(scanDossierCode("hồ sơ H29.22-251332-0042 đâu rồi")).toEqual({ raw: "H29.22-251332-0042", parsed: null });
    expect(findDossierCodeIn("hồ sơ H29.22-251332-0042 đâu rồi")).toBeNull();
  });

  it.each([
    ["a phone number", "0912345678"],
    ["a phone number with spaces", "0912 345 678"],
    ["a date", "12/03/2025"],
    ["a procedure code", "1.001193"],
    ["a long procedure code", "thủ tục 2.000815.000.00.00.H55 nộp ngày 12/03/2025, sđt 0912345678"],
    ["an identity card number", "001203004567"],
    ["an amount of money", "lệ phí 100.000 đồng"],
  ])("finds nothing in %s", (_, text) => {
    expect(scanDossierCode(text)).toBeNull();
  });

  it("still detects every code in the evaluation questions that name one", () => {
    for (const text of [
      "sao hồ sơ e bị trễ hẹn mà ko ai báo vậy, mã hs H12.3-250401-0321",
      "Mã hồ sơ G01.234-250115-0098, cho tôi hỏi đã có kết quả chưa?",
      "Hồ sơ của tôi bị từ chối, tôi muốn biết lý do cụ thể. Mã: 000.12.34.H56-250505-0020",
      "kiem tra giup em ho so 000.00.21.H55-250807-0013 voi a",
      "Hồ sơ cấp hộ chiếu của tôi đã in xong chưa, mã hồ sơ 2508-HC-0045123?",
      "Số biên nhận 000.30.15.H40-250620-0005, hồ sơ của tôi có phải bổ sung gì không?",
    ]) {
      expect(findDossierCodeIn(text), text).not.toBeNull();
      expect(findDossierCode(text), text).not.toBeNull();
    }
  });
});
