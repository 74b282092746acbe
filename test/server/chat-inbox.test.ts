import { afterEach, beforeEach, describe, expect, it } from "vitest";
import pino from "pino";
import type { FastifyInstance } from "fastify";
import { startNotifications, type Notifications } from "../../src/adapters/postgres/notification-dispatcher.ts";
import { createWebInbox, type WebInbox } from "../../src/adapters/postgres/web-inbox.ts";
import type { Assistant } from "../../src/core/dialogue/messages.ts";
import { createHttpServer } from "../../src/server/app.ts";
import { engines, freshDatabase } from "../support/databases.ts";
import { emptyCatalogue } from "../fakes/in-memory.ts";

const assistant: Assistant = { handle: async () => ({ replies: [{ text: "Chào bạn." }] }) };
const SESSION = "sessionABCDEFGH1234";

describe.each(engines)("the web chat's inbox of pushed replies (%s)", (engine) => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let inbox: WebInbox;
  let app: FastifyInstance;

  beforeEach(async () => {
    ctx = await freshDatabase(engine);
    inbox = createWebInbox(ctx.db.pool);
    app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: engine, vectorSearch: false } },
      logger: pino({ level: "silent" }),
      assistant,
      inbox,
      inboxPerMinute: 5,
    });
  });
  afterEach(async () => {
    await app.close();
    await ctx.dispose();
  });

  const poll = (sessionId: string) => app.inject({ method: "GET", url: `/api/v1/chat/inbox?sessionId=${encodeURIComponent(sessionId)}` });

  it("hands out what was pushed to a session once, in order, and nothing to another session", async () => {
    await inbox.push(SESSION, [{ text: "Hồ sơ của bạn đã được tiếp nhận." }]);
    await inbox.push(SESSION, [{ text: "Hồ sơ đã có kết quả.", choices: [{ id: "rate:good", label: "Hài lòng" }] }, { text: "Cảm ơn bạn." }]);
    await inbox.push("someoneElse12345", [{ text: "Không phải của bạn." }]);

    const first = await poll(SESSION);
    expect(first.statusCode).toBe(200);
    expect(first.headers["cache-control"]).toBe("no-store");
    expect(first.json()).toEqual({
      replies: [
        { text: "Hồ sơ của bạn đã được tiếp nhận." },
        { text: "Hồ sơ đã có kết quả.", choices: [{ id: "rate:good", label: "Hài lòng" }] },
        { text: "Cảm ơn bạn." },
      ],
    });
    expect((await poll(SESSION)).json()).toEqual({ replies: [] });
  });

  it("refuses a session id the chat itself would refuse, and limits the polling rate", async () => {
    for (const bad of ["short", "has space in it!!", "x".repeat(65)]) {
      const res = await poll(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe("request:invalid");
    }
    expect((await app.inject({ method: "GET", url: "/api/v1/chat/inbox" })).statusCode).toBe(400);
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await poll(SESSION)).statusCode);
    expect(codes).toEqual([200, 429, 429]); // 5 a minute: four refused polls count too
  });

  it("names the inbox on the chat page so the script polls it", async () => {
    const page = await app.inject({ method: "GET", url: "/" });
    expect(page.body).toContain('data-inbox="/api/v1/chat/inbox"');
  });

  it("carries a status notification from the outbox to the web page", async () => {
    let notifications: Notifications | undefined;
    try {
      notifications = await startNotifications({
        db: ctx.db,
        log: pino({ level: "silent" }),
        senders: [inbox.sender],
        compose: async (row) => [{ text: `Hồ sơ ${row.dossierCode} chuyển sang trạng thái ${row.status}.` }],
        sweepIntervalMs: 300,
        queue: { pollingIntervalSeconds: 0.5 },
      });
      await ctx.db.pool.query(
        `insert into dossier_notifications (kind, event_id, dossier_code, channel, chat_id, status)
         values ('status', 'ev-1', 'H29-250312-0042', 'web', $1, 4)`,
        [SESSION],
      );
      notifications.kick();
      let replies: unknown[] = [];
      const until = Date.now() + 15_000;
      while (replies.length === 0 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        replies = (await ctx.db.pool.query("select 1 from web_inbox where session_id = $1", [SESSION])).rows;
      }
      expect((await poll(SESSION)).json()).toEqual({ replies: [{ text: "Hồ sơ H29-250312-0042 chuyển sang trạng thái 4." }] });
    } finally {
      await notifications?.stop();
    }
  });
});

describe("the web chat without an inbox", () => {
  it("has no inbox route and the page does not poll", async () => {
    const app = createHttpServer({
      catalogue: emptyCatalogue,
      health: { database: { kind: "embedded", vectorSearch: false } },
      logger: pino({ level: "silent" }),
      assistant,
    });
    try {
      expect((await app.inject({ method: "GET", url: `/api/v1/chat/inbox?sessionId=${SESSION}` })).statusCode).toBe(404);
      expect((await app.inject({ method: "GET", url: "/" })).body).not.toContain("data-inbox");
    } finally {
      await app.close();
    }
  });
});
