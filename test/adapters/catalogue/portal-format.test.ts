import { describe, expect, it } from "vitest";
import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { parsePortalRecord } from "../../../src/adapters/catalogue/portal-format.ts";
import { SHARED_CATALOGUE, sharedCatalogueMissing } from "../../support/shared.ts";

const base = {
  ma_thu_tuc: "9.999001",
  ten_thu_tuc: "Thủ tục thử nghiệm",
  detail_url: "https://dichvucong.gov.vn/thu-tuc-hanh-chinh/abc",
  cap_thuc_hien: "Cấp tỉnh, Cấp xã",
  linh_vuc: "Hộ tịch",
  co_quan_thuc_hien: "Ủy ban nhân dân cấp xã",
  yeu_cau_dieu_kien: "Không có thông tin",
  cach_thuc_thuc_hien: "",
  thanh_phan_ho_so: "",
  ket_qua_xu_ly: "",
  can_cu_phap_ly: "",
};

function parse(fields: Partial<typeof base>) {
  const outcome = parsePortalRecord({ ...base, ...fields });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome;
}

describe("the channel table (cách thức thực hiện)", () => {
  it("splits the flattened table into one row per channel with time, fee and note", () => {
    const { procedure, warnings, stats } = parse({
      cach_thuc_thuc_hien:
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến7 Ngày làm việc10,000 Việt Nam Đồng(Nộp qua cổng dịch vụ công thu 10.000 đồng/lần.)Trực tiếp7 Ngày làm việc20,000 Việt Nam Đồng(Miễn cho người thuộc diện chính sách.)Dịch vụ bưu chính1Miễn phí",
    });
    expect(procedure.channels).toEqual([
      { channel: "online", timeLimit: { text: "7 Ngày làm việc", value: 7, unit: "working_day" }, fee: { text: "10,000 Việt Nam Đồng", amountVnd: 10000, foreign: null }, note: "Nộp qua cổng dịch vụ công thu 10.000 đồng/lần." },
      { channel: "in_person", timeLimit: { text: "7 Ngày làm việc", value: 7, unit: "working_day" }, fee: { text: "20,000 Việt Nam Đồng", amountVnd: 20000, foreign: null }, note: "Miễn cho người thuộc diện chính sách." },
      { channel: "postal", timeLimit: { text: "1", value: 1, unit: null }, fee: { text: "Miễn phí", amountVnd: 0 }, note: null },
    ]);
    expect(warnings).toEqual([]);
    expect(stats).toMatchObject({ channelRows: 3, channelRowsClean: 3 });
  });

  it("does not mistake a description that names a channel for a new row", () => {
    const { procedure } = parse({
      cach_thuc_thuc_hien:
        "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp5 Ngày làm việc10 USD(/lần)Trực tuyến: nộp hồ sơ trực tuyến qua Cổng Dịch vụ công.",
    });
    expect(procedure.channels).toHaveLength(1);
    expect(procedure.channels[0]).toMatchObject({
      channel: "in_person",
      fee: { text: "10 USD", amountVnd: null, foreign: "10 USD" },
      note: "(/lần)Trực tuyến: nộp hồ sơ trực tuyến qua Cổng Dịch vụ công.",
    });
  });

  it("keeps the original text and says so when a fee cannot be read", () => {
    const { procedure, warnings } = parse({
      cach_thuc_thuc_hien: "Hình thức nộpThời gianPhí, lệ phíMô tảDịch vụ bưu chính02 Ngày làm việcPhí : Đồng Không thu lệ phí",
    });
    expect(procedure.channels[0]!.fee).toEqual({ text: "Phí : Đồng Không thu lệ phí", amountVnd: null });
    expect(warnings).toEqual([{ field: "cach_thuc_thuc_hien", message: 'Dịch vụ bưu chính: fee not recognised: "Phí : Đồng Không thu lệ phí"' }]);
  });

  it("flags a time run together with a fee, and a fee that lost its thousands", () => {
    const { procedure, warnings } = parse({
      cach_thuc_thuc_hien: "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tuyến140,000 Việt Nam Đồng(Xe ô tô)Trực tiếp3 Ngày làm việc40 Việt Nam Đồng(40.000đ/giấy)",
    });
    expect(procedure.channels.map((c) => [c.timeLimit.value, c.fee.amountVnd])).toEqual([[1, 40000], [3, 40]]);
    expect(warnings.map((w) => w.message)).toEqual([
      'Trực tuyến: time and fee ran together in "140,000"; read as time 1 and fee 40,000 (check)',
      'Trực tiếp: fee "40 Việt Nam Đồng" is under 1,000 đồng and may have lost its thousands (check the note)',
    ]);
  });
});

describe("the documents table (thành phần hồ sơ)", () => {
  it("reads groups, names, form files and copies", () => {
    const { procedure, warnings } = parse({
      thanh_phan_ho_so:
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượngTờ khai đăng ký khai sinh (Mẫu TP/HT-01)Mẫu TP-HT-01 To khai.docx1 bản chính- Giấy chứng sinh; nếu không có thì nộp văn bản của người làm chứng.1 bản chính* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượngBản sao có chứng thực giấy tờ tùy thân, nộp 1 bản sao có chứng thực.0 bản chính,1 bản sao",
    });
    expect(procedure.documents).toEqual([
      { group: "Giấy tờ phải nộp", name: "Tờ khai đăng ký khai sinh (Mẫu TP/HT-01)", form: "Mẫu TP-HT-01 To khai.docx", copies: { original: 1, copy: 0 } },
      { group: "Giấy tờ phải nộp", name: "Giấy chứng sinh; nếu không có thì nộp văn bản của người làm chứng.", form: null, copies: { original: 1, copy: 0 } },
      { group: "Giấy tờ phải xuất trình", name: "Bản sao có chứng thực giấy tờ tùy thân, nộp 1 bản sao có chứng thực.", form: null, copies: { original: 0, copy: 1 } },
    ]);
    expect(warnings).toEqual([]);
  });
});

describe("results, legal basis, levels and empty fields", () => {
  it("drops the portal's page furniture after the result codes", () => {
    const { procedure } = parse({
      ket_qua_xu_ly: "Giấy khai sinhMã: KQ.G15.000031Từ khóaKhông có thông tinMô tảKhông có thông tinChọn cơ quan thực hiện",
    });
    expect(procedure.result).toEqual(["Giấy khai sinh"]);
  });

  it("splits legal documents into title and number", () => {
    const { procedure } = parse({
      can_cu_phap_ly: "Tên văn bản pháp lýMã văn bảnLuật Hộ tịch60/2014/QH13Nghị định số 123/2015/NĐ-CP của Chính phủ123/2015/NĐ-CPQuyết định số 09/2023/QĐ-TTg09/2023/QĐ-TTg",
    });
    expect(procedure.legalBasis).toEqual([
      { title: "Luật Hộ tịch", code: "60/2014/QH13" },
      { title: "Nghị định số 123/2015/NĐ-CP của Chính phủ", code: "123/2015/NĐ-CP" },
      { title: "Quyết định số 09/2023/QĐ-TTg", code: "09/2023/QĐ-TTg" },
    ]);
  });

  it("maps levels and turns 'Không có thông tin' into nothing", () => {
    const { procedure } = parse({});
    expect(procedure.level).toEqual(["province", "commune"]);
    expect(procedure.officialConditions).toBeNull();
  });
});

describe("records that cannot be imported", () => {
  it("rejects a record without a code or a name, saying which", () => {
    expect(parsePortalRecord({ ...base, ma_thu_tuc: "" })).toMatchObject({ ok: false, reason: "record has an empty ma_thu_tuc (procedure code)" });
    const { ma_thu_tuc: _, ...noCode } = base;
    expect(parsePortalRecord(noCode)).toMatchObject({ ok: false, code: null, reason: "record has no ma_thu_tuc (procedure code)" });
    expect(parsePortalRecord({ ...base, ten_thu_tuc: "  " })).toMatchObject({ ok: false, code: "9.999001" });
    expect(parsePortalRecord([1, 2])).toMatchObject({ ok: false });
    expect(parsePortalRecord({ ...base, ma_thu_tuc: "x y;drop" })).toMatchObject({ ok: false, code: "x y;drop" });
  });
});

describe.skipIf(sharedCatalogueMissing)("the real national records", () => {
  async function real(ministry: string, code: string) {
    const outcome = parsePortalRecord(JSON.parse(await readFile(path.join(SHARED_CATALOGUE, ministry, `${code}.json`), "utf8")));
    if (!outcome.ok) throw new Error(outcome.reason);
    return outcome.procedure;
  }

  it("reads Đăng ký thường trú (1.004222): online 10,000 đ and in person 20,000 đ, 7 working days", async () => {
    const p = await real("bo-cong-an", "1.004222");
    expect(p.name).toBe("Đăng ký thường trú");
    expect(p.level).toEqual(["commune"]);
    expect(p.channels.map((c) => [c.channel, c.timeLimit.value, c.timeLimit.unit, c.fee.amountVnd])).toEqual([
      ["online", 7, "working_day", 10000],
      ["in_person", 7, "working_day", 20000],
    ]);
    expect(p.documents.length).toBeGreaterThan(5);
    expect(p.documents.every((d) => d.copies !== null)).toBe(true);
  });

  it("reads Thủ tục đăng ký khai sinh (1.001193): free on all three channels, Giấy khai sinh as result", async () => {
    const p = await real("bo-tu-phap", "1.001193");
    expect(p.channels.map((c) => [c.channel, c.fee.amountVnd]).sort()).toEqual([["in_person", 0], ["online", 0], ["postal", 0]]);
    expect(p.result).toEqual(["Giấy khai sinh"]);
    expect(p.documents.some((d) => d.group === "Giấy tờ phải nộp" && d.name.includes("Giấy chứng sinh"))).toBe(true);
  });

  it("parses all records without a crash, and at least 95% of channel and document rows cleanly", async () => {
    let records = 0;
    let failed = 0;
    const totals = { channelRows: 0, channelRowsClean: 0, documentRows: 0, documentRowsClean: 0 };
    for (const ministry of await readdir(SHARED_CATALOGUE, { withFileTypes: true })) {
      if (!ministry.isDirectory()) continue;
      for (const file of await readdir(path.join(SHARED_CATALOGUE, ministry.name))) {
        const outcome = parsePortalRecord(JSON.parse(await readFile(path.join(SHARED_CATALOGUE, ministry.name, file), "utf8")));
        records++;
        if (!outcome.ok) {
          failed++;
          continue;
        }
        for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += outcome.stats[k];
      }
    }
    expect(records).toBe(2642);
    expect(failed).toBe(0);
    expect(totals.channelRowsClean / totals.channelRows).toBeGreaterThan(0.95);
    expect(totals.documentRowsClean / totals.documentRows).toBeGreaterThan(0.95);
  });
});
