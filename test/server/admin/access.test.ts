import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApp, cookieFrom, form, OTHER_PASSWORD, PASSWORD } from "./support.ts";

type App = Awaited<ReturnType<typeof adminApp>>;

/** Every route behind the login: the pages and CSV files (HTML side), and the JSON API. */
const HTML_ROUTES = [
  "/admin",
  "/admin/bao-cao/hai-long",
  "/admin/bao-cao/hai-long.csv",
  "/admin/bao-cao/chi-so",
  "/admin/bao-cao/chi-so.csv",
  "/admin/bao-cao/phan-anh",
  "/admin/bao-cao/phan-anh.csv",
  "/admin/bao-cao/cau-hoi-chua-tra-loi",
  "/admin/bao-cao/cau-hoi-chua-tra-loi.csv",
];
const API_ROUTES = ["/api/v1/reports/satisfaction", "/api/v1/reports/kpi", "/api/v1/reports/complaints", "/api/v1/reports/unanswered"];

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("the admin area without a session", () => {
  let t: App;
  beforeAll(async () => {
    t = await adminApp();
  });
  afterAll(() => t.app.close());

  it("knows every route in the lists (each exists once logged in)", async () => {
    const cookie = await t.login();
    for (const url of [...HTML_ROUTES, ...API_ROUTES]) {
      const res = await t.app.inject({ url, headers: { cookie } });
      expect([200, 302], url).toContain(res.statusCode);
    }
  });

  it.each(HTML_ROUTES)("redirects %s to the login page, remembering where to return", async (url) => {
    const res = await t.app.inject(`${url}?by=unit`);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(`/admin/dang-nhap?tiep=${encodeURIComponent(`${url}?by=unit`)}`);
    expect(res.body).not.toContain("Tháng");
  });

  it.each(API_ROUTES)("answers %s with 401 JSON in Vietnamese", async (url) => {
    const res = await t.app.inject(url);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: "auth:required", message: "Cần đăng nhập bằng tài khoản quản trị để xem báo cáo này." } });
    expect(res.headers["www-authenticate"]).toContain("Basic");
  });

  it("refuses a forged or unknown session cookie the same way, without reading any report", async () => {
    const before = t.reports.calls.length;
    const forged = await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie: `tthc_admin=${"x".repeat(43)}` } });
    expect(forged.statusCode).toBe(302);
    const api = await t.app.inject({ url: "/api/v1/reports/kpi", headers: { cookie: "tthc_admin=abc" } });
    expect(api.statusCode).toBe(401);
    expect(t.reports.calls.length).toBe(before);
  });

  it("shows the login form in Vietnamese, with no script", async () => {
    const res = await t.app.inject("/admin/dang-nhap?tiep=%2Fadmin%2Fbao-cao%2Fchi-so");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain("Đăng nhập trang quản trị");
    expect(res.body).toMatch(/<input name="username" autocomplete="username"/);
    expect(res.body).toMatch(/<input type="password" name="password" autocomplete="current-password"/);
    expect(res.body).toContain('<input type="hidden" name="next" value="/admin/bao-cao/chi-so">');
    expect(res.body).not.toContain("<script");
  });

  it("never sends a login to another site", async () => {
    for (const next of ["https://evil.example/", "//evil.example/admin", "/admin\\..\\x", "/thu-tuc"]) {
      const page = await t.app.inject(`/admin/dang-nhap?tiep=${encodeURIComponent(next)}`);
      expect(page.body).not.toContain('name="next"');
      const res = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: "canbo01", password: PASSWORD, next }) });
      expect(res.headers.location).toBe("/admin/bao-cao/hai-long");
    }
  });
});

describe("logging in and out", () => {
  let t: App;
  beforeAll(async () => {
    t = await adminApp();
  });
  afterAll(() => t.app.close());

  it("logs in with the right password: a session cookie and a 303 to the report asked for", async () => {
    const res = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: "canbo01", password: PASSWORD, next: "/admin/bao-cao/chi-so?by=unit" }) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/admin/bao-cao/chi-so?by=unit");
    expect(res.headers["set-cookie"]).toMatch(/^tthc_admin=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=1800$/);
    const page = await t.app.inject({ url: "/admin/bao-cao/chi-so?by=unit", headers: { cookie: cookieFrom(res.headers["set-cookie"]) } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("canbo01");
    expect(page.headers["cache-control"]).toBe("no-store");
  });

  it("marks the cookie Secure when the request came over https through the proxy", async () => {
    const res = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: "canbo01", password: PASSWORD }, { "x-forwarded-proto": "https" }) });
    expect(res.headers["set-cookie"]).toMatch(/; Secure$/);
  });

  it("refuses a wrong password or an unknown name with the same polite message and no cookie", async () => {
    for (const [username, password] of [["canbo01", "sai rồi"], ["khongco", PASSWORD], ["lanhdao.tinh", PASSWORD]]) {
      const res = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: username!, password: password! }) });
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain("Tên đăng nhập hoặc mật khẩu không đúng.");
      expect(res.body).toContain(`value="${username}"`);
      expect(res.body).not.toContain(password!);
      expect(res.headers["set-cookie"]).toBeUndefined();
    }
  });

  it("asks for both fields when one is empty", async () => {
    const res = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: "canbo01", password: "" }) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("Vui lòng nhập tên đăng nhập và mật khẩu.");
  });

  it("sends a logged-in admin from the login page straight to the reports", async () => {
    const cookie = await t.login("lanhdao.tinh", OTHER_PASSWORD);
    const res = await t.app.inject({ url: "/admin/dang-nhap", headers: { cookie } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/admin/bao-cao/hai-long");
    const home = await t.app.inject({ url: "/admin", headers: { cookie } });
    expect(home.headers.location).toBe("/admin/bao-cao/hai-long");
  });

  it("gives a new session id at every login (an old cookie is not reused)", async () => {
    const first = await t.login();
    const res = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: "canbo01", password: PASSWORD }, { cookie: first }) });
    const second = cookieFrom(res.headers["set-cookie"]);
    expect(second).not.toBe(first);
    expect((await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie: first } })).statusCode).toBe(302);
    expect((await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie: second } })).statusCode).toBe(200);
  });

  it("logs out: the session is deleted, the cookie cleared, and the login page says so", async () => {
    const cookie = await t.login();
    const page = await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie } });
    expect(page.body).toMatch(/<form method="post" action="\/admin\/dang-xuat">[\s\S]*Đăng xuất<\/button>/);
    const out = await t.app.inject({ method: "POST", url: "/admin/dang-xuat", headers: { cookie, origin: "http://localhost:80", host: "localhost:80" } });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe("/admin/dang-nhap?da-dang-xuat");
    expect(out.headers["set-cookie"]).toMatch(/^tthc_admin=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0$/);
    expect((await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie } })).statusCode).toBe(302);
    const login = await t.app.inject(out.headers.location as string);
    expect(login.body).toContain("Bạn đã đăng xuất.");
  });
});

describe("session expiry (idle 30 minutes)", () => {
  let t: App;
  beforeAll(async () => {
    t = await adminApp();
  });
  afterAll(() => t.app.close());

  it("keeps a session unused for 29 minutes", async () => {
    const cookie = await t.login();
    t.advance(29);
    expect((await t.app.inject({ url: "/api/v1/reports/kpi", headers: { cookie } })).statusCode).toBe(200);
  });

  it("ends a session left unused for 30 minutes, and clears its cookie", async () => {
    const cookie = await t.login();
    t.advance(30);
    const res = await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie } });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toMatch(/^\/admin\/dang-nhap/);
    expect(res.headers["set-cookie"]).toMatch(/Max-Age=0/);
    expect((await t.app.inject({ url: "/api/v1/reports/kpi", headers: { cookie } })).statusCode).toBe(401);
  });

  it("keeps a session in use alive: it is renewed under a new id, the old one no longer works", async () => {
    let cookie = await t.login();
    const first = cookie;
    for (let i = 0; i < 6; i++) {
      t.advance(20);
      const res = await t.app.inject({ url: "/admin/bao-cao/chi-so", headers: { cookie } });
      expect(res.statusCode, `after ${(i + 1) * 20} minutes`).toBe(200);
      expect(res.headers["set-cookie"]).toMatch(/^tthc_admin=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=1800$/);
      cookie = cookieFrom(res.headers["set-cookie"]);
    }
    expect((await t.app.inject({ url: "/admin/bao-cao/chi-so", headers: { cookie: first } })).statusCode).toBe(302);
  });

  it("does not renew a session on every request (only once it is a few minutes old)", async () => {
    const cookie = await t.login();
    t.advance(1);
    const res = await t.app.inject({ url: "/admin/bao-cao/chi-so", headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("honours a shorter idle setting", async () => {
    const short = await adminApp({ sessionIdleMinutes: 5 });
    const cookie = await short.login();
    short.advance(5);
    expect((await short.app.inject({ url: "/admin/bao-cao/chi-so", headers: { cookie } })).statusCode).toBe(302);
    await short.app.close();
  });
});

describe("limits on guessing passwords", () => {
  it("allows 5 login attempts per address in 15 minutes, then a polite Vietnamese page with 429", async () => {
    const t = await adminApp({ loginPerWindow: 5 });
    const attempt = (remoteAddress: string, password = "sai") =>
      t.app.inject({ method: "POST", url: "/admin/dang-nhap", remoteAddress, ...form({ username: "canbo01", password }) });
    for (let i = 0; i < 5; i++) expect((await attempt("192.0.2.7")).statusCode).toBe(401);
    const locked = await attempt("192.0.2.7", PASSWORD);
    expect(locked.statusCode).toBe(429);
    expect(locked.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(locked.body).toContain("Bạn đã thử đăng nhập quá nhiều lần");
    expect(locked.body).toMatch(/đợi khoảng 15 phút/);
    expect(locked.headers["set-cookie"]).toBeUndefined();
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await attempt("192.0.2.8", PASSWORD)).statusCode).toBe(303);
    await t.app.close();
  });

  it("counts wrong Basic credentials on the API per address too, then answers 429 JSON", async () => {
    const t = await adminApp({ loginPerWindow: 3 });
    const call = (auth: string) => t.app.inject({ url: "/api/v1/reports/kpi", remoteAddress: "198.51.100.1", headers: { authorization: auth } });
    for (let i = 0; i < 3; i++) {
      const res = await call(basic("canbo01", `sai ${i}`));
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("auth:invalid");
    }
    const locked = await call(basic("canbo01", PASSWORD));
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.message).toMatch(/thử lại sau 15 phút/);
    await t.app.close();
  });
});

describe("cross-site requests", () => {
  let t: App;
  beforeAll(async () => {
    t = await adminApp();
  });
  afterAll(() => t.app.close());

  it("refuses a login posted from another origin (403), before checking the password", async () => {
    const res = await t.app.inject({
      method: "POST",
      url: "/admin/dang-nhap",
      headers: { host: "tro-ly.example.gov.vn", origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ username: "canbo01", password: PASSWORD }).toString(),
    });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain("Yêu cầu bị từ chối");
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  it("refuses a cross-origin logout and Origin: null, and keeps the session", async () => {
    const cookie = await t.login();
    for (const origin of ["https://evil.example", "null"]) {
      const res = await t.app.inject({ method: "POST", url: "/admin/dang-xuat", headers: { cookie, host: "tro-ly.example.gov.vn", origin } });
      expect(res.statusCode).toBe(403);
    }
    expect((await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { cookie } })).statusCode).toBe(200);
  });

  it("serves its pages with Referrer-Policy: same-origin, so the browser sends the real Origin with the forms", async () => {
    // Under the app's default no-referrer, Chromium sends "Origin: null" with every form POST.
    const res = await t.app.inject("/admin/dang-nhap");
    expect(res.headers["referrer-policy"]).toBe("same-origin");
    expect((await t.app.inject("/thu-tuc")).headers["referrer-policy"]).toBe("no-referrer");
  });

  it("accepts the same origin, directly or behind a proxy that forwards the host", async () => {
    const direct = await t.app.inject({ method: "POST", url: "/admin/dang-nhap", ...form({ username: "canbo01", password: PASSWORD }, { host: "127.0.0.1:3000", origin: "http://127.0.0.1:3000" }) });
    expect(direct.statusCode).toBe(303);
    const proxied = await t.app.inject({
      method: "POST",
      url: "/admin/dang-nhap",
      ...form({ username: "canbo01", password: PASSWORD }, { host: "127.0.0.1:3000", "x-forwarded-host": "tro-ly.example.gov.vn", "x-forwarded-proto": "https", origin: "https://tro-ly.example.gov.vn" }),
    });
    expect(proxied.statusCode).toBe(303);
  });
});

describe("scripts with Basic credentials", () => {
  let t: App;
  beforeAll(async () => {
    t = await adminApp();
  });
  afterAll(() => t.app.close());

  it("read the JSON API with an admin's name and password, and nothing else", async () => {
    const ok = await t.app.inject({ url: "/api/v1/reports/unanswered", headers: { authorization: basic("lanhdao.tinh", OTHER_PASSWORD) } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers["set-cookie"]).toBeUndefined();
    const page = await t.app.inject({ url: "/admin/bao-cao/hai-long", headers: { authorization: basic("lanhdao.tinh", OTHER_PASSWORD) } });
    expect(page.statusCode).toBe(302);
  });
});
