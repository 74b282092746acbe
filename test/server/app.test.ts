import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { createHttpServer } from "../../src/server/app.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import { parsePortalRecord } from "../../src/adapters/catalogue/portal-format.ts";
import { freshDatabase } from "../support/databases.ts";

const procedures = [
  ["9.200001", "Thủ tục đăng ký khai sinh"],
  ["9.200002", "Thủ tục đăng ký lại khai sinh"],
  ["9.200003", "Cấp đổi thẻ căn cước"],
  ["9.200004", "Đăng ký <b>thử</b> & \"kiểm tra\""],
].map(([code, name]) => {
  const o = parsePortalRecord({ ma_thu_tuc: code, ten_thu_tuc: name, cap_thuc_hien: "Cấp xã", detail_url: `https://dichvucong.gov.vn/p/${code}` });
  if (!o.ok) throw new Error(o.reason);
  return o.procedure;
});

describe("the HTTP server", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let app: ReturnType<typeof createHttpServer>;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    const catalogue = createCatalogueRepository(ctx.db.pool);
    await catalogue.upsertPortal(procedures);
    app = createHttpServer({ catalogue, health: { database: { kind: "embedded", vectorSearch: true } }, logger: pino({ level: "silent" }) });
  });
  afterAll(async () => {
    await app.close();
    await ctx.dispose();
  });

  it("reports health with the database reachable and the catalogue size", async () => {
    const res = await app.inject("/health");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: "ok",
      database: { kind: "embedded", vectorSearch: true, reachable: true },
      catalogue: { procedures: 4, curated: 0, imported: 4, guides: 0 },
    });
  });

  it("finds procedures by name typed without tone marks, best match first", async () => {
    const res = await app.inject("/thu-tuc?q=dang%20ky%20khai%20sinh");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    const names = [...res.body.matchAll(/<strong>([^<]*)<\/strong>/g)].map((m) => m[1]);
    expect(names).toEqual(["Thủ tục đăng ký khai sinh", "Thủ tục đăng ký lại khai sinh"]);
    expect(res.body).toContain('href="https://dichvucong.gov.vn/p/9.200001"');
  });

  it("lists the catalogue when nothing is searched, and says when nothing matches", async () => {
    const all = await app.inject("/thu-tuc");
    expect(all.body).toContain("Danh mục hiện có 4 thủ tục");
    const none = await app.inject("/thu-tuc?q=xo%20so");
    expect(none.body).toContain("Không tìm thấy thủ tục nào có tên chứa “xo so”");
  });

  it("renders names and queries as text, never as markup", async () => {
    const res = await app.inject(`/thu-tuc?q=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(res.body).not.toContain("<script>alert(1)</script>");
    expect(res.body).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    const list = await app.inject("/thu-tuc?q=kiem%20tra");
    expect(list.body).toContain("Đăng ký &lt;b&gt;thử&lt;/b&gt; &amp; &quot;kiểm tra&quot;");
    expect(list.headers["content-security-policy"]).toContain("default-src 'none'");
  });

  it("answers an over-long search politely with 400", async () => {
    const res = await app.inject(`/thu-tuc?q=${"a".repeat(300)}`);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("Nội dung tìm kiếm dài quá 200 ký tự.");
  });

  it("serves the same search as JSON, validating its parameters", async () => {
    const ok = await app.inject("/api/v1/procedures?q=can%20cuoc&limit=5");
    expect(ok.json().items.map((p: { code: string }) => p.code)).toEqual(["9.200003"]);
    const bad = await app.inject("/api/v1/procedures?limit=5000");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("request:invalid");
  });

  it("answers unknown pages with a Vietnamese 404 page", async () => {
    const res = await app.inject("/khong-co");
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("Không tìm thấy trang");
  });

  it("says the database is unreachable (503) without a stack trace when it goes away", async () => {
    const other = await freshDatabase("pglite");
    const broken = createHttpServer({
      catalogue: createCatalogueRepository(other.db.pool),
      health: { database: { kind: "embedded", vectorSearch: true } },
      logger: pino({ level: "silent" }),
    });
    await other.dispose();
    const health = await broken.inject("/health");
    expect(health.statusCode).toBe(503);
    expect(health.json()).toEqual({ status: "unavailable", database: { kind: "embedded", vectorSearch: true, reachable: false } });
    const page = await broken.inject("/thu-tuc");
    expect(page.statusCode).toBe(500);
    expect(page.body).toContain("Hệ thống đang gặp sự cố tạm thời");
    expect(page.body).not.toMatch(/at .*\.ts:\d+/);
    await broken.close();
  });
});
