import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { ActionPayload, MAX_INBOUND_CHARS, type Assistant, type Reply } from "../core/dialogue/messages.ts";
import type { CatalogueReader } from "../core/ports.ts";
import { registerAdmin, type AdminOptions } from "./admin/routes.ts";
import { registerDossierEvents, type DossierEventsOptions } from "./dossier-events.ts";
import { escapeHtml, page } from "./html.ts";
import { renderCataloguePage } from "./pages/catalogue-page.ts";
import { CHAT_INBOX_PATH, CHAT_SCRIPT_PATH, renderChatPage } from "./pages/chat-page.ts";
import { CHAT_SCRIPT } from "./pages/chat-script.ts";

export interface HealthReport {
  database: { kind: string; vectorSearch: boolean };
}

export interface HttpDeps {
  catalogue: CatalogueReader;
  /** Static facts about the running instance, for /health. */
  health: HealthReport;
  logger: Logger;
  /** The dialogue core; when set, `/` is the web chat and `/api/v1/chat` answers it. */
  assistant?: Assistant;
  /** Chat messages allowed per minute from one address (flood protection); default 30. */
  chatPerMinute?: number;
  /** Replies pushed to web chat sessions (status notifications); when set with `assistant`, the page polls it. */
  inbox?: { take(sessionId: string): Promise<Reply[][]> };
  /** Inbox polls allowed per minute from one address; default 60 (a tab polls ~12 a minute while visible). */
  inboxPerMinute?: number;
  /** Signed dossier events from the one-stop system; without it the route answers 503 not_configured. */
  dossierEvents?: DossierEventsOptions;
  /** Messaging webhooks (Telegram…): POST routes whose handlers check their platform's secret themselves. */
  webhooks?: { path: string; handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> }[];
  /** Webhooks signed over the exact bytes received (Zalo): the handler gets the body unparsed. */
  rawWebhooks?: RawWebhook[];
  /** Open problems a person must fix (a dead Zalo grant), listed on /health. */
  alerts?: { list(): Promise<{ key: string; message: string; raisedAt: Date }[]> };
  /** The admin pages, reports and their JSON API; without it no /admin or /api/v1/reports route exists. */
  admin?: AdminOptions;
}

export interface RawWebhook {
  path: string;
  receive(rawBody: Buffer, headers: FastifyRequest["headers"]): Promise<{ status: number; body: unknown }>;
}

/** Zalo's events are small; anything much larger is not one. */
const RAW_WEBHOOK_BODY_LIMIT = 256 * 1024;

const PAGE_SIZE = 50;
const ListQuery = z.object({
  q: z.string().max(200, "Nội dung tìm kiếm dài quá 200 ký tự.").optional().default(""),
  page: z.coerce.number().int().min(1).max(10_000).optional().default(1),
});
const SessionId = z
  .string({ error: "Thiếu mã phiên trò chuyện (sessionId)." })
  .regex(/^[A-Za-z0-9_-]{8,64}$/, "Mã phiên trò chuyện (sessionId) không hợp lệ. Vui lòng tải lại trang.");
const InboxQuery = z.object({ sessionId: SessionId }, { error: "Yêu cầu không hợp lệ." });
const ChatBody = z
  .object(
    {
      sessionId: SessionId,
      text: z
        .string({ error: "Câu hỏi (text) phải là chuỗi ký tự." })
        .max(MAX_INBOUND_CHARS, `Câu hỏi dài quá ${MAX_INBOUND_CHARS.toLocaleString("vi-VN")} ký tự. Vui lòng rút gọn.`)
        .refine((t) => t.trim().length > 0, "Câu hỏi đang để trống.")
        .optional(),
      action: z.string({ error: "Lựa chọn (action) phải là chuỗi ký tự." }).max(64, "Lựa chọn (action) không hợp lệ.").optional(),
    },
    { error: "Nội dung yêu cầu phải là một đối tượng JSON." },
  )
  .refine((b) => (b.text === undefined) !== (b.action === undefined), {
    message: "Cần gửi đúng một trong hai: câu hỏi (text) hoặc lựa chọn (action).",
  });
/** Said instead of calling the assistant when a button payload is not one the core could have made. */
const STALE_CHOICE_REPLY: Reply = { text: "Lựa chọn này không còn hiệu lực. Bạn vui lòng gõ lại câu hỏi." };
const ApiQuery = z.object({
  q: z.string().max(200).optional().default(""),
  limit: z.coerce.number().int().min(1).max(100).optional().default(20),
});

/**
 * The HTTP face: health, the catalogue page and its JSON API. Later issues mount the chat page,
 * webhooks and admin here. One error boundary: clients never see a stack trace.
 */
export function createHttpServer(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    trustProxy: true,
  });

  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("X-Content-Type-Options", "nosniff");
    reply.header("Referrer-Policy", "no-referrer");
    reply.header(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    return payload;
  });

  // Browsers ask for it on every page; there is none, and that is not an error.
  app.get("/favicon.ico", async (_req, reply) => reply.code(204).send());

  app.get("/health", async (_req, reply) => {
    try {
      const size = await deps.catalogue.size();
      const alerts = (await deps.alerts?.list()) ?? [];
      return {
        status: alerts.length > 0 ? "attention" : "ok",
        database: { ...deps.health.database, reachable: true },
        catalogue: { procedures: size.procedures, curated: size.curated, imported: size.portal, guides: size.guides },
        ...(alerts.length > 0 ? { alerts: alerts.map((a) => ({ key: a.key, message: a.message, since: a.raisedAt.toISOString() })) } : {}),
      };
    } catch (error) {
      deps.logger.error({ err: error }, "health check: database unreachable");
      return reply.code(503).send({ status: "unavailable", database: { ...deps.health.database, reachable: false } });
    }
  });

  registerDossierEvents(app, deps.dossierEvents);
  if (deps.admin) registerAdmin(app, deps.admin);
  for (const webhook of deps.webhooks ?? []) app.post(webhook.path, webhook.handler);
  // Platforms posting to webhooks read JSON errors (a 500 there means "deliver again later").
  const jsonPaths = new Set([...(deps.webhooks ?? []), ...(deps.rawWebhooks ?? [])].map((w) => w.path));
  if (deps.rawWebhooks?.length) {
    // In its own context: these routes take the body as bytes, whatever its content type.
    void app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: RAW_WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
      for (const webhook of deps.rawWebhooks ?? []) {
        scope.post(webhook.path, async (req, reply) => {
          const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const answer = await webhook.receive(raw, req.headers);
          return reply.code(answer.status).send(answer.body);
        });
      }
    });
  }

  const assistant = deps.assistant;
  if (assistant) {
    app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(renderChatPage({ inbox: deps.inbox !== undefined })));

    app.get(CHAT_SCRIPT_PATH, async (_req, reply) =>
      reply.type("text/javascript; charset=utf-8").header("Cache-Control", "no-cache").send(CHAT_SCRIPT),
    );

    // Flood protection per address, in its own plugin context so the limiter sees the route: a person
    // types far fewer messages than this; a script gets a polite 429.
    void app.register(async (chat) => {
      await chat.register(rateLimit, {
        global: false,
        // Thrown to the error handler below, which answers it as JSON.
        errorResponseBuilder: (_req, context) => ({
          statusCode: 429,
          message: `Bạn gửi tin nhắn quá nhanh. Vui lòng thử lại sau ${Math.ceil(context.ttl / 1000)} giây.`,
        }),
      });
      chat.post("/api/v1/chat", { config: { rateLimit: { max: deps.chatPerMinute ?? 30, timeWindow: 60_000 } } }, async (req, reply) => {
        const parsed = ChatBody.safeParse(req.body);
        if (!parsed.success) {
          return reply.code(400).send({ error: { code: "request:invalid", message: parsed.error.issues[0]?.message ?? "Yêu cầu không hợp lệ." } });
        }
        const { sessionId, text, action } = parsed.data;
        if (action !== undefined && !ActionPayload.safeParse(action).success) {
          return { replies: [STALE_CHOICE_REPLY] };
        }
        const result = await assistant.handle({
          channel: "web",
          chatId: sessionId,
          ...(text !== undefined ? { text: text.normalize("NFC") } : { action }),
          receivedAt: new Date(),
        });
        return { replies: result.replies };
      });

      const inbox = deps.inbox;
      if (inbox) {
        // Replies pushed to this session since the last poll (each handed out once), flattened in order.
        chat.get(CHAT_INBOX_PATH, { config: { rateLimit: { max: deps.inboxPerMinute ?? 60, timeWindow: 60_000 } } }, async (req, reply) => {
          const parsed = InboxQuery.safeParse(req.query);
          if (!parsed.success) {
            return reply.code(400).send({ error: { code: "request:invalid", message: parsed.error.issues[0]?.message ?? "Yêu cầu không hợp lệ." } });
          }
          const pushed = await inbox.take(parsed.data.sessionId);
          return reply.header("Cache-Control", "no-store").send({ replies: pushed.flat() });
        });
      }
    });
  } else {
    app.get("/", async (_req, reply) => reply.redirect("/thu-tuc"));
  }

  app.get("/thu-tuc", async (req, reply) => {
    reply.type("text/html; charset=utf-8");
    const parsed = ListQuery.safeParse(req.query);
    if (!parsed.success) {
      const size = await deps.catalogue.size();
      return reply.code(400).send(
        renderCataloguePage({ query: "", items: [], total: size.procedures, page: 1, hasNext: false, notice: parsed.error.issues[0]?.message.startsWith("Nội dung") ? parsed.error.issues[0].message : "Yêu cầu không hợp lệ. Vui lòng thử lại." }),
      );
    }
    const { q, page: pageNo } = parsed.data;
    const query = q.normalize("NFC").trim();
    const size = await deps.catalogue.size();
    const items = query
      ? await deps.catalogue.searchByName(query, PAGE_SIZE)
      : await deps.catalogue.list(PAGE_SIZE + 1, (pageNo - 1) * PAGE_SIZE);
    const hasNext = !query && items.length > PAGE_SIZE;
    return renderCataloguePage({ query, items: items.slice(0, PAGE_SIZE), total: size.procedures, page: query ? 1 : pageNo, hasNext });
  });

  app.get("/api/v1/procedures", async (req, reply) => {
    const parsed = ApiQuery.safeParse(req.query);
    if (!parsed.success) {
      return reply.code(400).send({ error: { code: "request:invalid", message: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") } });
    }
    const { q, limit } = parsed.data;
    const query = q.normalize("NFC").trim();
    const items = query ? await deps.catalogue.searchByName(query, limit) : await deps.catalogue.list(limit, 0);
    return { items };
  });

  app.setNotFoundHandler(async (req, reply) => {
    if (req.url.startsWith("/api/")) return reply.code(404).send({ error: { code: "route:not_found", message: "Not found" } });
    return reply
      .code(404)
      .type("text/html; charset=utf-8")
      .send(page("Không tìm thấy trang", `<h1>Không tìm thấy trang</h1><p>Trang bạn tìm không tồn tại. <a href="/thu-tuc">Về danh mục thủ tục</a>.</p>`));
  });

  app.setErrorHandler(async (error, req, reply) => {
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status === 429) {
      return reply.code(429).send({ error: { code: "request:rate_limited", message: (error as { message: string }).message } });
    }
    if (status >= 500) req.log.error({ err: error }, "request failed");
    const message =
      status >= 500
        ? "Hệ thống đang gặp sự cố tạm thời. Xin vui lòng thử lại sau ít phút."
        : "Yêu cầu không hợp lệ. Vui lòng kiểm tra và thử lại.";
    if (req.url.startsWith("/api/") || req.url.startsWith("/health") || jsonPaths.has(req.url.split("?")[0] ?? "")) {
      return reply.code(status).send({ error: { code: status >= 500 ? "server:unavailable" : "request:invalid", message } });
    }
    return reply.code(status).type("text/html; charset=utf-8").send(page("Có lỗi xảy ra", `<h1>Có lỗi xảy ra</h1><p>${escapeHtml(message)}</p>`));
  });

  return app;
}
