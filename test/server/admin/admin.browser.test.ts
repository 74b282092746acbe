import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { hasChromium, launchChromium } from "../../support/browser.ts";
import { SATISFACTION } from "../../fakes/fake-reports.ts";
import { adminApp, PASSWORD } from "./support.ts";
import { parseCsv } from "./support.ts";

describe.skipIf(!hasChromium)("the admin pages in Chromium", () => {
  let t: Awaited<ReturnType<typeof adminApp>>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await adminApp();
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
  });

  it("logs in through the form, shows the satisfaction chart, and downloads its CSV", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN", acceptDownloads: true });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
    });

    await page.goto(`${base}/admin/bao-cao/hai-long`);
    expect(new URL(page.url()).pathname).toBe("/admin/dang-nhap");
    await page.getByLabel("Tên đăng nhập").fill("canbo01");
    await page.getByLabel("Mật khẩu").fill(PASSWORD);
    await Promise.all([page.waitForURL(`${base}/admin/bao-cao/hai-long`), page.getByRole("button", { name: "Đăng nhập" }).click()]);

    expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Mức độ hài lòng của người dân");
    const chart = page.locator("svg[role=img]");
    expect(await chart.count()).toBe(1);
    const labels = await chart.locator("text").allTextContents();
    for (const label of ["Rất hài lòng", "Hài lòng", "Không hài lòng", "Tháng 9/2026", "Tháng 10/2026", "Tháng 11/2026", "80 đánh giá", "Chưa có đánh giá"]) {
      expect(labels).toContain(label);
    }
    expect(await chart.getAttribute("aria-labelledby")).toBe("chart-hai-long-title chart-hai-long-desc");
    const box = await chart.boundingBox();
    expect(box!.width).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: "/tmp/admin-satisfaction.png", fullPage: true });

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Tải CSV" }).click()]);
    expect(download.suggestedFilename()).toBe("bao-cao-hai-long-2025-12-2026-11.csv");
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const rows = parseCsv(bytes.toString("utf8").slice(1));
    expect(rows[0]).toEqual(["Mã tháng", "Tháng", "Hồ sơ đã giải quyết", "Đã gửi đề nghị đánh giá", "Đã đánh giá", "Rất hài lòng", "Hài lòng", "Không hài lòng", "% không hài lòng", "Tỷ lệ phản hồi (%)"]);
    const first = SATISFACTION.month[0]!;
    expect(rows[1]).toEqual([first.key, first.label, "120", "100", "80", "48", "24", "8", "10", "80"]);

    // Every report fits the phone's width (wide tables scroll inside their own box).
    for (const report of ["chi-so", "phan-anh", "cau-hoi-chua-tra-loi"]) {
      await page.goto(`${base}/admin/bao-cao/${report}`);
      expect(await page.locator("svg[role=img]").count(), report).toBe(1);
      expect(await page.evaluate(() => document.scrollingElement!.scrollWidth), report).toBeLessThanOrEqual(360);
    }
    await page.goto(`${base}/admin/bao-cao/hai-long`);

    // The filter is a plain GET form; logging out ends the session.
    await page.getByLabel("Xem theo").selectOption("unit");
    await Promise.all([page.waitForURL(/by=unit/), page.getByRole("button", { name: "Xem báo cáo" }).click()]);
    // Long names are shortened on the chart (the tooltip and the table have them whole), never read as markup.
    const shortened = (await page.locator("svg[role=img] text").allTextContents()).find((x) => x.startsWith("UBND xã Tân Hòa"));
    expect(shortened).toMatch(/^UBND xã Tân Hòa, huyện “Đông”, <b?…$/);
    expect(await page.locator("table tbody th").first().innerText()).toBe("UBND xã Tân Hòa, huyện “Đông”, <b>tỉnh</b>");
    await Promise.all([page.waitForURL(/dang-nhap/), page.getByRole("button", { name: "Đăng xuất" }).click()]);
    expect(await page.getByText("Bạn đã đăng xuất.").count()).toBe(1);
    await page.goto(`${base}/admin/bao-cao/chi-so`);
    expect(new URL(page.url()).pathname).toBe("/admin/dang-nhap");

    expect(problems).toEqual([]);
    await context.close();
  });
});
