import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import type { Browser, Page } from "playwright-core";
import { createHttpServer } from "../../src/server/app.ts";
import type { Assistant, InboundMessage } from "../../src/core/dialogue/messages.ts";
import path from "node:path";
import { syncKnowledge } from "../../src/adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../../src/adapters/postgres/catalogue-repository.ts";
import { buildAssistant } from "../../src/cli/assistant-factory.ts";
import { freshDatabase } from "../support/databases.ts";
import { emptyCatalogue } from "../fakes/in-memory.ts";
import { hasChromium, launchChromium } from "../support/browser.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

const CHOICES = [
  { id: "proc:9.200001", label: "Đăng ký khai sinh" },
  { id: "proc:9.200002", label: "Đăng ký lại khai sinh" },
];

/** Answers "khai sinh" questions with two lines (one looks like markup) and two choices; names the chosen one. */
function fakeAssistant() {
  const received: InboundMessage[] = [];
  const assistant: Assistant = {
    async handle(message) {
      received.push(message);
      if (message.action) {
        const chosen = CHOICES.find((c) => c.id === message.action);
        return { replies: [{ text: `Bạn đã chọn: ${chosen?.label ?? "?"}.`, link: { url: "https://dichvucong.gov.vn/p/9.200001", label: "Xem chi tiết" } }] };
      }
      if (message.text?.includes("khai sinh")) {
        return { replies: [{ text: "Có hai thủ tục về khai sinh.\nLưu ý: <b>không phải HTML</b>", choices: CHOICES }] };
      }
      return { replies: [{ text: "Tôi chưa hiểu câu hỏi." }] };
    },
  };
  return { assistant, received };
}

describe.skipIf(!hasChromium)("the web chat page in Chromium", () => {
  const fake = fakeAssistant();
  let app: ReturnType<typeof createHttpServer>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: pino({ level: "silent" }),
      assistant: fake.assistant,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function openPhonePage(): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: "vi-VN" });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("response", (r) => {
      if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) problems.push(`console: ${m.text()}`);
    });
    await page.goto(`${base}/`);
    return { page, problems };
  }

  it("answers a typed question, shows reply text literally, and follows a tapped choice", async () => {
    const { page, problems } = await openPhonePage();
    const input = page.getByLabel("Câu hỏi của bạn");
    await input.fill("Làm giấy khai sinh cần gì?");
    await input.press("Enter");

    const first = page.getByTestId("reply").first();
    await first.waitFor();
    await expect.poll(() => page.locator(".msg.user").allTextContents()).toEqual(["Làm giấy khai sinh cần gì?"]);
    expect(await input.inputValue()).toBe("");
    expect(await first.locator("p").first().innerText()).toBe("Có hai thủ tục về khai sinh.\nLưu ý: <b>không phải HTML</b>");
    expect(await first.getByText("<b>không phải HTML</b>", { exact: false }).count()).toBe(1);
    expect(await first.locator("b").count()).toBe(0);
    expect(await first.locator("br").count()).toBe(1);
    const choices = first.getByTestId("choice");
    expect(await choices.allTextContents()).toEqual(CHOICES.map((c) => c.label));
    expect(await choices.first().getAttribute("type")).toBe("button");

    const session = fake.received[0]?.chatId;
    expect(session).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(fake.received[0]).toMatchObject({ channel: "web", text: "Làm giấy khai sinh cần gì?" });

    await choices.nth(1).click();
    const second = page.getByTestId("reply").nth(1);
    await second.waitFor();
    expect(await second.innerText()).toContain("Bạn đã chọn: Đăng ký lại khai sinh.");
    expect(await page.locator(".msg.user").allTextContents()).toEqual(["Làm giấy khai sinh cần gì?", "Đăng ký lại khai sinh"]);
    expect(fake.received[1]).toMatchObject({ channel: "web", chatId: session, action: "proc:9.200002" });
    const link = second.locator("a");
    expect(await link.getAttribute("href")).toBe("https://dichvucong.gov.vn/p/9.200001");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(await page.getByText("Đang trả lời…").count()).toBe(0);
    expect(await page.locator("#chat-send").isDisabled()).toBe(false);

    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(360);
    await page.screenshot({ path: "/tmp/chat-page.png", fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("fits a 360 px phone screen without horizontal scrolling", async () => {
    const { page, problems } = await openPhonePage();
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(360);
    expect(await page.locator('[role="log"][aria-live="polite"]').count()).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("shows 'Đang trả lời…' with the send button disabled while waiting, and a polite error when the server fails", async () => {
    const { page, problems } = await openPhonePage();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/v1/chat", async (route) => {
      await held;
      await route.fulfill({ status: 503, contentType: "application/json", body: '{"error":{"code":"server:unavailable"}}' });
    });
    await page.getByLabel("Câu hỏi của bạn").fill("thủ tục khai sinh");
    await page.getByRole("button", { name: "Gửi" }).click();
    await page.getByText("Đang trả lời…").waitFor();
    expect(await page.locator("#chat-send").isDisabled()).toBe(true);
    release();
    await page.getByText("Xin lỗi, hệ thống đang bận. Vui lòng thử lại sau ít phút.").waitFor();
    expect(await page.getByText("Đang trả lời…").count()).toBe(0);
    expect(await page.locator("#chat-send").isDisabled()).toBe(false);
    expect(await page.getByLabel("Câu hỏi của bạn").inputValue()).toBe("thủ tục khai sinh");
    expect(await page.getByTestId("reply").count()).toBe(0);
    expect(problems.filter((p) => !p.startsWith("HTTP 503 for "))).toEqual([]);
    await page.context().close();
  });
});

describe.skipIf(!hasChromium)("the whole assistant behind the chat page, in Chromium", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let app: ReturnType<typeof createHttpServer>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    const catalogue = createCatalogueRepository(ctx.db.pool);
    await syncKnowledge(path.join(ROOT, "knowledge"), catalogue);
    const { assistant } = await buildAssistant({ db: ctx.db, log: pino({ level: "silent" }), knowledgeDir: path.join(ROOT, "knowledge"), promptsDir: path.join(ROOT, "prompts") });
    app = createHttpServer({ catalogue, assistant, health: { database: { kind: "embedded", vectorSearch: true } }, logger: pino({ level: "silent" }) });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await ctx?.dispose();
  });

  it("asks a question without tone marks, gets a choice between two procedures, taps one and gets its facts", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${base}/`);
    await page.getByLabel("Câu hỏi của bạn").fill("lam ho chieu");
    await page.getByLabel("Câu hỏi của bạn").press("Enter");
    const question = page.getByTestId("reply").first();
    await question.waitFor();
    expect(await question.textContent()).toContain("Bạn muốn hỏi thủ tục nào");
    const choice = question.getByTestId("choice").filter({ hasText: "cấp tỉnh" });
    await choice.click();
    const answer = page.getByTestId("reply").nth(1);
    await answer.waitFor();
    const text = (await answer.textContent()) ?? "";
    expect(text).toContain("Cấp hộ chiếu phổ thông ở trong nước (thực hiện tại cấp tỉnh)");
    expect(text).toContain("mã thủ tục 1.001456");
    expect(text).toMatch(/Lệ phí: .*đồng|Lệ phí: .*USD|Lệ phí: miễn phí/);
    await expect(answer.getByTestId("choice").filter({ hasText: "Giấy tờ cần chuẩn bị" }).count()).resolves.toBe(1);
    await page.close();
  });
});
