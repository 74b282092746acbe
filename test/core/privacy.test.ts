import { describe, expect, it } from "vitest";
import { maskPersonalNumbers } from "../../src/core/privacy.ts";

describe("masking personal numbers", () => {
  it("masks phone numbers in their common forms, keeping the last three digits", () => {
    expect(maskPersonalNumbers("sđt 0912345678 nhé")).toBe("sđt *******678 nhé");
    expect(maskPersonalNumbers("gọi +84912345678")).toBe("gọi ********678");
    expect(maskPersonalNumbers("0912.345.678")).toBe("*******678");
  });

  it("masks 12-digit identity numbers and 9-digit old ID numbers", () => {
    expect(maskPersonalNumbers("CCCD 001203004567")).toBe("CCCD *********567");
    expect(maskPersonalNumbers("CMND 123456789")).toBe("CMND ******789");
  });

  it("leaves procedure codes, dossier codes, dates and amounts alone", () => {
    const text = "Thủ tục 1.001193, hồ sơ 000.00.12.H29-250312-0042, ngày 12/03/2025, lệ phí 20,000 đồng";
    expect(maskPersonalNumbers(text)).toBe(text);
  });
});
