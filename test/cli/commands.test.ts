import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../support/cli.ts";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";


const record = (code: string, name: string) => ({
  ma_thu_tuc: code,
  ten_thu_tuc: name,
  cap_thuc_hien: "Cấp xã",
  cach_thuc_thuc_hien: "Hình thức nộpThời gianPhí, lệ phíMô tảTrực tiếp3 Ngày làm việcMiễn phí",
});


describe("the eval and ask commands", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "tthc-cli-"));
    await mkdir(path.join(dir, "catalogue"));
    await writeFile(path.join(dir, "catalogue", "a.json"), JSON.stringify(record("9.300001", "Thủ tục đăng ký khai sinh")));
    await writeFile(path.join(dir, "catalogue", "b.json"), JSON.stringify(record("9.300002", "Cấp đổi thẻ căn cước")));
    const lines = [
      { id: "t1", q: "dang ky khai sinh cho con", expect: ["9.300001"], action: "answer", slice: "no-diacritics" },
      { id: "t2", q: "cấp đổi thẻ căn cước", expect: ["9.300002"], action: "answer", slice: "standard" },
      { id: "t3", q: "kết quả xổ số hôm nay", expect: [], action: "abstain", slice: "standard" },
      { id: "t4", q: "hồ sơ H29.22-250312-0042 của tôi đến đâu rồi", expect: [], action: "status", slice: "standard" },
    ];
    await writeFile(path.join(dir, "questions.jsonl"), lines.map((l) => JSON.stringify(l)).join("\n"));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it("eval --catalogue --json imports into a fresh database and ends with one JSON object of the metrics", async () => {
    const out = await cli("eval.ts", ["--file", path.join(dir, "questions.jsonl"), "--catalogue", path.join(dir, "catalogue"), "--json"], {
      DATA_DIR: path.join(dir, "unused-data"),
    });
    const last = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(Object.keys(last).sort()).toEqual(
      ["abstain_accuracy", "by_slice", "mrr_at_5", "n", "p50_ms", "p95_ms", "recall_at_1", "recall_at_5", "status_accuracy"].sort(),
    );
    expect(last).toMatchObject({ n: 4, recall_at_1: 1, recall_at_5: 1, mrr_at_5: 1, abstain_accuracy: 1, status_accuracy: 1 });
    expect(last.by_slice["no-diacritics"]).toMatchObject({ n: 1, recall_at_1: 1 });
    expect(last.p95_ms).toBeGreaterThanOrEqual(last.p50_ms);
  });

  it("ask prints the reply, the decision and the ranked candidates with their scores", async () => {
    const out = await cli("ask.ts", ["cấp lại bằng lái xe bị mất"], { DATA_DIR: path.join(dir, "data") });
    expect(out).toContain("Cấp lại giấy phép lái xe");
    expect(out).toMatch(/Decision: \{"kind":"answered","code":"3\.000348"/);
    expect(out).toMatch(/^\s+1\s+-?\d+\.\d\d\s+\d\.\d\d\s+\d\.\d\d\s+3\.000348\s+Cấp lại giấy phép lái xe$/m);
  });
});

describe("the zalo:tokens command", () => {
  it("saves the OA's tokens, proves them with a refresh, and shows the expiry without printing a token", async () => {
    const { startFakeZalo, FAKE_ZALO } = await import("../fakes/fake-zalo-server.ts");
    const fake = await startFakeZalo();
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-zalo-cli-"));
    const env = {
      DATA_DIR: path.join(dir, "data"),
      ZALO_APP_ID: FAKE_ZALO.appId,
      ZALO_APP_SECRET: FAKE_ZALO.appSecret,
      ZALO_API_ROOT: fake.url,
      ZALO_OAUTH_ROOT: fake.url,
      ZALO_BUSINESS_ROOT: fake.url,
    };
    try {
      expect(await cli("zalo-tokens.ts", [], env)).toContain("No Zalo tokens stored");
      const saved = await cli("zalo-tokens.ts", ["--refresh-token", FAKE_ZALO.initialRefresh, "--refresh-now"], env);
      expect(saved).toContain("Zalo tokens saved");
      expect(saved).toContain("Refreshed: the grant works.");
      expect(fake.refreshes).toBe(1);
      const status = await cli("zalo-tokens.ts", ["--status"], env);
      expect(status).toMatch(/Access token expires \d{4}-\d\d-\d\dT/);
      expect(status).not.toContain(fake.tokens.access);
      expect(status).not.toContain(fake.tokens.refresh);
    } finally {
      await fake.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
