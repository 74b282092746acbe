import { describe, expect, it } from "vitest";
import { feeText, overviewText, sectionChoices, sectionText, timeText, type ProcedureRecord } from "../../../src/core/answers/compose.ts";
import type { ChannelRow, DocumentRow } from "../../../src/core/procedure.ts";

function row(over: {
  channel?: ChannelRow["channel"];
  fee?: Partial<ChannelRow["fee"]>;
  time?: Partial<ChannelRow["timeLimit"]>;
  note?: string | null;
} = {}): ChannelRow {
  return {
    channel: over.channel ?? "in_person",
    timeLimit: { text: "5 Ngày làm việc", value: 5, unit: "working_day", ...over.time },
    fee: { text: "Lệ phí : 20.000 Đồng", amountVnd: 20000, foreign: null, ...over.fee },
    note: over.note ?? null,
  };
}

function doc(name: string, group: string | null = "Giấy tờ phải nộp"): DocumentRow {
  return { group, name, form: null, copies: null };
}

const birth: ProcedureRecord = {
  code: "1.001193",
  name: "Đăng ký khai sinh",
  level: ["commune"],
  agency: "Ủy ban nhân dân cấp xã",
  channels: [row({ fee: { text: "Miễn lệ phí", amountVnd: 0 } }), row({ channel: "online", fee: { text: "Miễn lệ phí", amountVnd: 0 } })],
  documents: [doc("Tờ khai đăng ký khai sinh"), doc("Giấy chứng sinh")],
  result: ["Giấy khai sinh"],
  sourceUrl: "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma_thu_tuc=1.001193",
};

describe("the fee of one channel", () => {
  it("says “Miễn phí” when the fee is zero", () => {
    expect(feeText(row({ fee: { text: "Miễn lệ phí", amountVnd: 0 } }))).toBe("Miễn phí");
  });

  it("writes an amount in đồng with Vietnamese thousands separators", () => {
    expect(feeText(row({ fee: { amountVnd: 20000 } }))).toBe("20.000 đồng");
    expect(feeText(row({ fee: { amountVnd: 1200000 } }))).toBe("1.200.000 đồng");
  });

  it("shows the published text and the note when the parsed amount is under 1,000 đồng (the thousands were lost)", () => {
    const text = feeText(row({ fee: { text: "Lệ phí : 8 Đồng", amountVnd: 8 }, note: "8.000 đồng/bản; miễn cho trẻ em" }));
    expect(text).toBe("Lệ phí : 8 Đồng (8.000 đồng/bản; miễn cho trẻ em)");
    expect(text).not.toContain("8 đồng ");
  });

  it("adds a short note beside a known amount", () => {
    expect(feeText(row({ fee: { amountVnd: 50000 }, note: "Miễn cho người khuyết tật" }))).toBe("50.000 đồng (Miễn cho người khuyết tật)");
  });

  it("says the catalogue gives no fee rather than inventing one", () => {
    expect(feeText(row({ fee: { text: "Không có thông tin", amountVnd: null } }))).toBe("danh mục không ghi mức phí");
    expect(feeText(row({ fee: { text: "", amountVnd: null } }))).toBe("danh mục không ghi mức phí");
  });

  it("shows a fee it could not parse as published", () => {
    expect(feeText(row({ fee: { text: "Theo quy định của HĐND tỉnh", amountVnd: null } }))).toBe("Theo quy định của HĐND tỉnh");
  });
});

describe("the time limit of one channel", () => {
  it("writes the value with its unit in Vietnamese", () => {
    expect(timeText(row({ time: { value: 5, unit: "working_day" } }))).toBe("5 ngày làm việc");
    expect(timeText(row({ time: { value: 2, unit: "month" } }))).toBe("2 tháng");
  });

  it("says the unit is not published when the catalogue gives a bare number", () => {
    expect(timeText(row({ time: { text: "15", value: 15, unit: null } }))).toBe("15 (danh mục công bố không ghi đơn vị)");
  });

  it("shows a time limit without a number as published", () => {
    expect(timeText(row({ time: { text: "Trong ngày", value: null, unit: null } }))).toBe("Trong ngày");
  });

  it("says the catalogue gives no time limit rather than inventing one", () => {
    expect(timeText(row({ time: { text: "Không có thông tin", value: null, unit: null } }))).toBe("danh mục không ghi thời hạn");
  });
});

describe("one section of a procedure", () => {
  it("lists fees per channel, once per distinct line", () => {
    const text = sectionText({ ...birth, channels: [row({ fee: { amountVnd: 20000 } }), row({ fee: { amountVnd: 20000 } }), row({ channel: "online", fee: { amountVnd: 10000 } })] }, "fees");
    expect(text).toBe("Lệ phí – Đăng ký khai sinh:\n• Nộp trực tiếp: 20.000 đồng\n• Nộp trực tuyến: 10.000 đồng");
  });

  it("lists at most 10 documents and says how many more there are", () => {
    const documents = Array.from({ length: 13 }, (_, i) => doc(`Giấy tờ số ${i + 1}`));
    const text = sectionText({ ...birth, documents }, "documents");
    expect(text).toContain("• Giấy tờ số 10");
    expect(text).not.toContain("Giấy tờ số 11");
    expect(text).toContain("… và 3 mục khác");
    expect(text.split("\n").filter((l) => l.startsWith("• "))).toHaveLength(10);
  });

  it("lists every document, with no “more” line, when there are 10 or fewer", () => {
    const documents = Array.from({ length: 10 }, (_, i) => doc(`Giấy tờ số ${i + 1}`));
    const text = sectionText({ ...birth, documents }, "documents");
    expect(text).toContain("• Giấy tờ số 10");
    expect(text).not.toContain("mục khác");
  });

  it("shows each document group heading once, with copies and form", () => {
    const text = sectionText(
      {
        ...birth,
        documents: [
          { group: "Giấy tờ phải nộp", name: "Tờ khai", form: "TK1.doc", copies: { original: 1, copy: 0 } },
          { group: "Giấy tờ phải nộp", name: "Giấy chứng sinh", form: null, copies: { original: 1, copy: 1 } },
          { group: "Giấy tờ phải xuất trình", name: "Thẻ căn cước", form: null, copies: null },
        ],
      },
      "documents",
    );
    expect(text).toBe(
      [
        "Giấy tờ cần chuẩn bị – Đăng ký khai sinh:",
        "Giấy tờ phải nộp:",
        "• Tờ khai (1 bản chính) – mẫu: TK1.doc",
        "• Giấy chứng sinh (1 bản chính, 1 bản sao)",
        "Giấy tờ phải xuất trình:",
        "• Thẻ căn cước",
      ].join("\n"),
    );
  });

  it("says the catalogue lists no documents rather than inventing them", () => {
    const text = sectionText({ ...birth, documents: [] }, "documents");
    expect(text).toContain("Danh mục chưa liệt kê thành phần hồ sơ");
    expect(text).toContain("Đăng ký khai sinh");
    expect(text).not.toContain("•");
  });

  it("says the catalogue has no information on fees or time when no channel is listed", () => {
    const none = { ...birth, channels: [] };
    expect(sectionText(none, "fees")).toBe("Lệ phí – Đăng ký khai sinh:\n• Danh mục chưa có thông tin.");
    expect(sectionText(none, "time")).toBe("Thời hạn giải quyết – Đăng ký khai sinh:\n• Danh mục chưa có thông tin.");
  });

  it("says there is no online or postal channel when the catalogue lists none", () => {
    const inPerson = { ...birth, channels: [row()] };
    expect(sectionText(inPerson, "online")).toContain("Danh mục không có hình thức nộp trực tuyến");
    expect(sectionText(inPerson, "postal")).toContain("Danh mục không có hình thức nộp qua bưu chính");
  });

  it("offers postal submission only when the catalogue lists it", () => {
    expect(sectionText({ ...birth, channels: [row(), row({ channel: "postal" })] }, "postal")).toContain("bưu chính công ích");
  });

  it("numbers the curated steps, falls back to the official text, and otherwise says none are described", () => {
    expect(sectionText({ ...birth, steps: ["Nộp tờ khai", "Nhận kết quả"] }, "steps")).toBe("Các bước thực hiện – Đăng ký khai sinh:\n1. Nộp tờ khai\n2. Nhận kết quả");
    expect(sectionText({ ...birth, officialSteps: "Bước 1: nộp hồ sơ." }, "steps")).toBe("Các bước thực hiện – Đăng ký khai sinh:\nBước 1: nộp hồ sơ.");
    expect(sectionText(birth, "steps")).toBe("Danh mục chưa mô tả trình tự thực hiện thủ tục “Đăng ký khai sinh”.");
  });

  it("names the agency and the level where the procedure is done", () => {
    const text = sectionText(birth, "where");
    expect(text).toContain("• Cơ quan thực hiện: Ủy ban nhân dân cấp xã");
    expect(text).toContain("• Cấp thực hiện: cấp xã");
  });
});

describe("the overview of a procedure", () => {
  it("names the procedure and its code, agency, channels, fee, time and result", () => {
    const text = overviewText(birth);
    expect(text.split("\n")[0]).toBe("Đăng ký khai sinh (mã thủ tục 1.001193)");
    expect(text).toContain("• Cơ quan thực hiện: Ủy ban nhân dân cấp xã");
    expect(text).toContain("• Cách nộp: trực tiếp, trực tuyến.");
    expect(text).toContain("• Lệ phí: miễn phí.");
    expect(text).toContain("• Thời hạn giải quyết: 5 ngày làm việc.");
    expect(text).toContain("• Kết quả: Giấy khai sinh.");
  });

  it("says the procedure can be done online end to end (toàn trình) when the online level is full", () => {
    const text = overviewText({ ...birth, onlineLevel: "full" });
    expect(text).toContain("• Cách nộp: trực tiếp, trực tuyến toàn trình.");
    expect(text).toContain("trực tuyến toàn trình (trước đây gọi là mức độ 4)");
    expect(text).not.toContain("một phần");
  });

  it("says the procedure can be done online only in part (một phần) when the online level is partial", () => {
    const text = overviewText({ ...birth, onlineLevel: "partial" });
    expect(text).toContain("• Cách nộp: trực tiếp, trực tuyến một phần.");
    expect(text).toContain("trực tuyến một phần (trước đây gọi là mức độ 3)");
    expect(text).not.toContain("toàn trình");
  });

  it("does not claim an online level the catalogue does not give", () => {
    const text = overviewText(birth);
    expect(text).toContain("danh mục không ghi rõ là toàn trình hay một phần");
  });

  it("says nothing about online submission when there is no online channel", () => {
    const text = overviewText({ ...birth, channels: [row()], onlineLevel: "none" });
    expect(text).not.toContain("trực tuyến");
  });

  it("gives the fee and time per channel when the channels differ", () => {
    const text = overviewText({
      ...birth,
      channels: [row({ fee: { amountVnd: 20000 }, time: { value: 5 } }), row({ channel: "online", fee: { amountVnd: 10000 }, time: { value: 3 } })],
    });
    expect(text).toContain("• Lệ phí: nộp trực tiếp 20.000 đồng; nộp trực tuyến 10.000 đồng.");
    expect(text).toContain("• Thời hạn giải quyết: nộp trực tiếp 5 ngày làm việc; nộp trực tuyến 3 ngày làm việc.");
  });

  it("says the catalogue has no channel information instead of inventing a fee or a time limit", () => {
    const text = overviewText({ code: "9.000001", name: "Thủ tục không có dữ liệu", channels: [] });
    expect(text).toContain("• Cách nộp: danh mục không ghi cách thức thực hiện.");
    expect(text).not.toContain("Lệ phí");
    expect(text).not.toContain("Thời hạn");
    expect(text).not.toMatch(/đồng|ngày làm việc/);
  });
});

describe("the buttons offered after an answer", () => {
  it("offers at most four sections the citizen has not seen, as actions naming the procedure", () => {
    expect(sectionChoices(birth, ["overview", "fees", "time"])).toEqual([
      { id: "s:1.001193:documents", label: "Giấy tờ cần chuẩn bị" },
      { id: "s:1.001193:steps", label: "Các bước thực hiện" },
      { id: "s:1.001193:where", label: "Nơi nộp hồ sơ" },
      { id: "s:1.001193:online", label: "Nộp trực tuyến" },
    ]);
  });
});
