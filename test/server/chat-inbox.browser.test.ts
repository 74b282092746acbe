import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import type { Browser } from "playwright-core";
import { createHttpServer } from "../../src/server/app.ts";
import type { Assistant, InboundMessage, Reply } from "../../src/core/dialogue/messages.ts";
import { emptyCatalogue } from "../fakes/in-memory.ts";
import { hasChromium, launchChromium } from "../support/browser.ts";

describe.skipIf(!hasChromium)("replies pushed to the web chat, in Chromium", () => {
  const received: InboundMessage[] = [];
  const assistant: Assistant = {
    async handle(message) {
      received.push(message);
      return { replies: [{ text: "Đã đăng ký nhận thông báo." }] };
    },
  };
  // An in-memory inbox: what the notification worker would have pushed to a session.
  const pushed = new Map<string, Reply[][]>();
  const polls: string[] = [];
  let app: ReturnType<typeof createHttpServer>;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: pino({ level: "silent" }),
      assistant,
      inbox: {
        async take(sessionId) {
          polls.push(sessionId);
          const taken = pushed.get(sessionId) ?? [];
          pushed.delete(sessionId);
          return taken;
        },
      },
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it("shows a pushed notification like an answer: text literally, choices as buttons", async () => {
    const page = await (await browser.newContext({ locale: "vi-VN" })).newPage();
    const problems: string[] = [];
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    await page.goto(`${base}/`);
    expect(polls).toEqual([]); // no session yet: nothing to poll for

    const input = page.getByLabel("Câu hỏi của bạn");
    await input.fill("H29-250312-0042");
    await input.press("Enter");
    await page.getByTestId("reply").first().waitFor();
    const session = received[0]!.chatId;

    pushed.set(session, [[{ text: "Hồ sơ H29-250312-0042 đã có kết quả.\n<i>Mời bạn đến nhận</i>", choices: [{ id: "rate:good", label: "Hài lòng" }] }]]);
    const notice = page.locator('[data-pushed="true"]');
    await notice.waitFor({ timeout: 12_000 });
    expect(await notice.locator("p").first().innerText()).toBe("Hồ sơ H29-250312-0042 đã có kết quả.\n<i>Mời bạn đến nhận</i>");
    expect(await notice.locator("i").count()).toBe(0);
    expect(await notice.getByTestId("choice").allTextContents()).toEqual(["Hài lòng"]);
    expect(polls.every((s) => s === session)).toBe(true);
    expect(problems).toEqual([]);
  });
});
