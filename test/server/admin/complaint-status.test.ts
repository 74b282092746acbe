import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminApp, form } from "./support.ts";

type App = Awaited<ReturnType<typeof adminApp>>;
const URL = "/admin/bao-cao/phan-anh/trang-thai";
const SAME_ORIGIN = { host: "localhost:80", origin: "http://localhost:80" };

describe("changing a complaint's status from the complaints page", () => {
  let t: App;
  let cookie: string;
  beforeAll(async () => {
    t = await adminApp();
    cookie = await t.login();
  });
  afterAll(() => t.app.close());

  it("shows the form under the list, with the three statuses in Vietnamese", async () => {
    const page = await t.app.inject({ url: "/admin/bao-cao/phan-anh", headers: { cookie } });
    expect(page.body).toContain(`action="${URL}"`);
    for (const label of ["Mới tiếp nhận", "Đang xử lý", "Đã giải quyết"]) expect(page.body).toContain(`>${label}</option>`);
  });

  it("a logged-in admin moves a complaint along and returns to the list", async () => {
    const res = await t.app.inject({ method: "POST", url: URL, ...form({ ref: "PA-261122-0007", status: "in_progress" }, { cookie, ...SAME_ORIGIN }) });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe("/admin/bao-cao/phan-anh?da-cap-nhat=PA-261122-0007");
    expect(t.statusChanges.at(-1)).toEqual({ ref: "PA-261122-0007", status: "in_progress" });
  });

  it("an unknown reference is a 404 page; a malformed one or an unknown status a 400, changing nothing", async () => {
    const before = t.statusChanges.length;
    const unknown = await t.app.inject({ method: "POST", url: URL, ...form({ ref: "PA-250101-0001", status: "resolved" }, { cookie, ...SAME_ORIGIN }) });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("Không có phản ánh số PA-250101-0001");
    const bad = await t.app.inject({ method: "POST", url: URL, ...form({ ref: "<script>", status: "closed" }, { cookie, ...SAME_ORIGIN }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain("<script>");
    expect(t.statusChanges.length).toBe(before + 1); // only the unknown reference reached the store
  });

  it("needs a session, and a post from the admin pages' own origin", async () => {
    const before = t.statusChanges.length;
    const anonymous = await t.app.inject({ method: "POST", url: URL, ...form({ ref: "PA-261122-0007", status: "resolved" }, SAME_ORIGIN) });
    expect(anonymous.statusCode).toBe(302);
    expect(anonymous.headers.location).toBe("/admin/dang-nhap");
    const forged = await t.app.inject({ method: "POST", url: URL, ...form({ ref: "PA-261122-0007", status: "resolved" }, { cookie, host: "localhost:80", origin: "https://evil.example" }) });
    expect(forged.statusCode).toBe(403);
    expect(t.statusChanges.length).toBe(before);
  });
});
