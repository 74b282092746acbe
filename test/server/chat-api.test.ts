import { Script } from "node:vm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import { createHttpServer } from "../../src/server/app.ts";
import type { Assistant, InboundMessage, Reply } from "../../src/core/dialogue/messages.ts";
import { emptyCatalogue } from "../fakes/in-memory.ts";

/** Records what it is handed and answers with text that looks like markup, choices and a link. */
function fakeAssistant() {
  const received: InboundMessage[] = [];
  let failWith: Error | undefined;
  const reply: Reply = {
    text: "Bạn cần <b>giấy chứng sinh</b> & CCCD.\nNộp tại UBND xã.",
    choices: [
      { id: "proc:9.200001", label: "Đăng ký khai sinh" },
      { id: "proc:9.200002", label: "Đăng ký lại khai sinh" },
    ],
    link: { url: "https://dichvucong.gov.vn/p/9.200001", label: "Xem trên Cổng Dịch vụ công" },
  };
  const assistant: Assistant = {
    async handle(message) {
      received.push(message);
      if (failWith) throw failWith;
      return { replies: [reply] };
    },
  };
  return {
    assistant,
    received,
    reply,
    failNext(error: Error) {
      failWith = error;
    },
    reset() {
      received.length = 0;
      failWith = undefined;
    },
  };
}

const SESSION = "abcDEF0123_-xyz9";

describe("the web chat API and page", () => {
  const fake = fakeAssistant();
  let app: ReturnType<typeof createHttpServer>;

  beforeAll(() => {
    app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: pino({ level: "silent" }),
      assistant: fake.assistant,
      chatPerMinute: 1000,
    });
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(() => fake.reset());

  const chat = (payload: unknown) => app.inject({ method: "POST", url: "/api/v1/chat", payload: payload as object });

  it("serves the chat page at / with the script tag, no inline script, and a CSP that allows it", async () => {
    const res = await app.inject("/");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.body).toContain('<html lang="vi">');
    expect(res.body).toContain('<script src="/chat.js" defer></script>');
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]?.[2]).toBe("");
    expect(res.body).not.toMatch(/\son[a-z]+\s*=/i); // no inline event handlers either
    expect(res.body).toMatch(/role="log"[^>]*aria-live="polite"/);
    expect(res.body).toMatch(/<label for="chat-input">Câu hỏi của bạn<\/label>/);
    expect(res.body).toMatch(/<input[^>]*id="chat-input"[^>]*maxlength="2000"/);
    expect(res.body).toMatch(/<button type="submit"[^>]*>Gửi<\/button>/);
    expect(res.body).toContain('href="/thu-tuc"');
    expect(res.body).toContain("thủ tục hành chính");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
  });

  it("serves /chat.js as JavaScript that parses and never uses innerHTML", async () => {
    const res = await app.inject("/chat.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(() => new Script(res.body)).not.toThrow();
    expect(res.body).toContain("/api/v1/chat");
    expect(res.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  it("hands a typed question to the assistant as a web message whose chatId is the session id", async () => {
    const before = Date.now();
    const res = await chat({ sessionId: SESSION, text: "Làm giấy khai sinh cần gì?" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ replies: [fake.reply] });
    expect(fake.received).toHaveLength(1);
    const m = fake.received[0]!;
    expect(m).toMatchObject({ channel: "web", chatId: SESSION, text: "Làm giấy khai sinh cần gì?" });
    expect(m.action).toBeUndefined();
    expect(m.receivedAt).toBeInstanceOf(Date);
    expect(m.receivedAt.getTime()).toBeGreaterThanOrEqual(before);
  });

  it("hands a tapped choice to the assistant as an action", async () => {
    const res = await chat({ sessionId: SESSION, action: "proc:9.200001" });
    expect(res.statusCode).toBe(200);
    expect(fake.received).toHaveLength(1);
    expect(fake.received[0]).toMatchObject({ channel: "web", chatId: SESSION, action: "proc:9.200001" });
    expect(fake.received[0]?.text).toBeUndefined();
  });

  it.each([
    ["a session id with forbidden characters", { sessionId: "abc def/0123456", text: "xin chào" }],
    ["a session id that is too short", { sessionId: "abc", text: "xin chào" }],
    ["a session id that is too long", { sessionId: "a".repeat(65), text: "xin chào" }],
    ["no session id", { text: "xin chào" }],
    ["both text and action", { sessionId: SESSION, text: "xin chào", action: "proc:9.200001" }],
    ["neither text nor action", { sessionId: SESSION }],
    ["a 10,001-character text", { sessionId: SESSION, text: "a".repeat(10_001) }],
    ["an empty text", { sessionId: SESSION, text: "   " }],
    ["an over-long action", { sessionId: SESSION, action: "a".repeat(65) }],
    ["a text that is not a string", { sessionId: SESSION, text: 42 }],
    ["a body that is not an object", ["x"]],
  ])("answers 400 in Vietnamese for %s, without calling the assistant", async (_name, payload) => {
    const res = await chat(payload);
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("request:invalid");
    expect(body.error.message).toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỷỹý]/i);
    expect(fake.received).toHaveLength(0);
  });

  it("accepts a 10,000-character text", async () => {
    const res = await chat({ sessionId: SESSION, text: "a".repeat(10_000) });
    expect(res.statusCode).toBe(200);
    expect(fake.received[0]?.text).toHaveLength(10_000);
  });

  it("answers malformed JSON with a JSON 400", async () => {
    const res = await app.inject({ method: "POST", url: "/api/v1/chat", headers: { "content-type": "application/json" }, payload: "{not json" });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("request:invalid");
    expect(fake.received).toHaveLength(0);
  });

  it("answers a forged or stale action politely and never passes it on", async () => {
    for (const action of ["javascript:alert(1)", "<script>", "PROC:1", "proc:"]) {
      const res = await chat({ sessionId: SESSION, action });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ replies: [{ text: "Lựa chọn này không còn hiệu lực. Bạn vui lòng gõ lại câu hỏi." }] });
    }
    expect(fake.received).toHaveLength(0);
  });

  it("returns reply text as-is in JSON: escaping it is the page's job", async () => {
    const res = await chat({ sessionId: SESSION, text: "khai sinh" });
    expect(res.headers["content-type"]).toContain("application/json");
    expect(res.json().replies[0].text).toBe("Bạn cần <b>giấy chứng sinh</b> & CCCD.\nNộp tại UBND xã.");
    expect(res.body).not.toContain("&lt;b&gt;");
  });

  it("answers 500 in Vietnamese without a stack trace when the assistant fails", async () => {
    fake.failNext(new Error("boom at /secret/path.ts:12"));
    const res = await chat({ sessionId: SESSION, text: "khai sinh" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: "server:unavailable", message: "Hệ thống đang gặp sự cố tạm thời. Xin vui lòng thử lại sau ít phút." },
    });
    expect(res.body).not.toContain("boom");
  });

  it("keeps / a redirect to the catalogue and has no chat API when no assistant is given", async () => {
    const plain = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: pino({ level: "silent" }),
    });
    const home = await plain.inject("/");
    expect(home.statusCode).toBe(302);
    expect(home.headers.location).toBe("/thu-tuc");
    const api = await plain.inject({ method: "POST", url: "/api/v1/chat", payload: { sessionId: SESSION, text: "x" } });
    expect(api.statusCode).toBe(404);
    await plain.close();
  });
});

describe("flood protection on the chat API", () => {
  it("answers a client that sends too many messages a minute with a polite 429, without calling the assistant", async () => {
    const fake = fakeAssistant();
    const app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: pino({ level: "silent" }),
      assistant: fake.assistant,
      chatPerMinute: 3,
    });
    const send = () => app.inject({ method: "POST", url: "/api/v1/chat", payload: { sessionId: SESSION, text: "khai sinh" } });
    for (let i = 0; i < 3; i++) expect((await send()).statusCode).toBe(200);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.message).toMatch(/^Bạn gửi tin nhắn quá nhanh\. Vui lòng thử lại sau \d+ giây\.$/);
    expect(fake.received).toHaveLength(3);
    await app.close();
  });
});

