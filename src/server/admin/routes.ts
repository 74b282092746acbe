import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import type { ComplaintUpdater, ReportsReader } from "../../core/reports/types.ts";
import {
  clearedSessionCookie,
  createAuthenticator,
  createFailureCounter,
  parseBasicAuth,
  readSessionCookie,
  sessionCookie,
  type AdminSessionStore,
  type AdminUser,
} from "./auth.ts";
import { complaintColumns, kpiColumns, satisfactionColumns, sortUnanswered, unansweredColumns } from "./columns.ts";
import { LOGIN_PATH, LOGOUT_PATH, REPORTS, renderAdminNotice, renderLockedOutPage, renderLoginPage, type ReportName } from "./pages.ts";
import { renderComplaintsPage, renderKpiPage, renderSatisfactionPage, renderUnansweredPage } from "./report-pages.ts";
import { mountReport, readerFilter, type ReportSpec } from "./report-routes.ts";

export interface AdminOptions {
  reports: ReportsReader;
  /** Lets staff change a complaint's status from the complaints page; without it the form is not shown. */
  complaints?: ComplaintUpdater;
  /** Parsed from ADMIN_USERS. */
  users: AdminUser[];
  sessions: AdminSessionStore;
  /** A session ends this long after its last use. */
  sessionIdleMinutes: number;
  /** Login attempts (and failed Basic credentials) allowed per address in 15 minutes; default 5. */
  loginPerWindow?: number;
  /** The clock (tests). */
  now?: () => Date;
}

const LOGIN_WINDOW_MS = 15 * 60_000;
const HTML = "text/html; charset=utf-8";
const START = REPORTS.satisfaction.path;
const AUTH_REQUIRED = { error: { code: "auth:required", message: "Cần đăng nhập bằng tài khoản quản trị để xem báo cáo này." } };

/** Where the complaints page's form posts a status change. */
export const COMPLAINT_STATUS_PATH = "/admin/bao-cao/phan-anh/trang-thai";
const ComplaintStatusBody = z.object({
  ref: z.string().trim().regex(/^PA-\d{6}-\d{4,}$/),
  status: z.enum(["new", "in_progress", "resolved"]),
});

const LoginBody = z.object({
  username: z.string().max(64).default(""),
  password: z.string().max(1024).default(""),
  next: z.string().max(2000).optional(),
});

/**
 * Where to go after logging in: only a path inside the admin area (never another site), printable
 * ASCII only (it becomes a Location header).
 */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== "string" || next.length > 2000) return undefined;
  if (!/^\/admin(?:[/?][\x21-\x7e]*)?$/.test(next) || next.includes("\\") || next.startsWith(LOGIN_PATH)) return undefined;
  return next;
}

/**
 * A POST whose Origin (when the browser sends one) is this site: the host it names is the Host asked,
 * directly or as the proxy forwarded it (default ports ignored on both sides).
 */
function sameOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    const o = new URL(origin);
    const hostOf = (host: string | undefined) => (host ? new URL(`${o.protocol}//${host}`).host : "");
    return o.host === hostOf(req.headers.host) || o.host === hostOf(req.host);
  } catch {
    return false; // "null" (sandboxed or privacy-restricted pages) is never us.
  }
}

const secure = (req: FastifyRequest) => req.protocol === "https";

/**
 * The admin area: login and logout, the four report pages, their CSV downloads and the JSON API
 * (`/api/v1/reports/...`). Every report route needs a session (HTML: redirect to the login page;
 * API: 401, or `Authorization: Basic` for scripts). Mounted in its own plugin context: its form
 * parser, rate limit, hooks and error pages apply to these routes only.
 */
export function registerAdmin(app: FastifyInstance, options: AdminOptions): void {
  void app.register(async (scope) => setUp(scope, options));
}

async function setUp(scope: FastifyInstance, o: AdminOptions): Promise<void> {
  const now = o.now ?? (() => new Date());
  const idleMs = o.sessionIdleMinutes * 60_000;
  // Idle expiry with a three-method store: a session in use is replaced by a fresh one (new id, full
  // lifetime) once it is a few minutes old, so it ends after sessionIdleMinutes (less at most 5) unused.
  const renewAfterMs = Math.min(5 * 60_000, idleMs / 2);
  const perWindow = o.loginPerWindow ?? 5;
  const authenticate = createAuthenticator(o.users);
  const known = new Set(o.users.map((u) => u.username));
  const basicFailures = createFailureCounter({ max: perWindow, windowMs: LOGIN_WINDOW_MS, now });
  const userOf = new WeakMap<FastifyRequest, string>();

  scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 8192 }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  scope.addHook("onRequest", async (req, reply) => {
    reply.header("Cache-Control", "no-store");
    // SameSite=Strict already keeps the cookie off cross-site posts; a foreign Origin is refused outright.
    if (req.method === "POST" && !sameOrigin(req)) {
      req.log.warn({ origin: req.headers.origin }, "admin: cross-origin POST refused");
      return reply
        .code(403)
        .type(HTML)
        .send(renderAdminNotice({ title: "Yêu cầu bị từ chối", message: "Yêu cầu này không được gửi từ trang quản trị nên đã bị từ chối. Vui lòng mở lại trang đăng nhập và thử lại.", user: null, link: { href: LOGIN_PATH, label: "Về trang đăng nhập" } }));
    }
  });

  // The app sends "Referrer-Policy: no-referrer", under which browsers send "Origin: null" with every
  // form POST, and the check above could not tell our forms from anyone's. Same-origin still sends no
  // referrer to other sites. (Runs after the app's onSend hook, so it wins.)
  scope.addHook("onSend", async (_req, reply, payload) => {
    reply.header("Referrer-Policy", "same-origin");
    return payload;
  });

  scope.setErrorHandler(async (error, req, reply) => {
    const e = error as { statusCode?: number; retryAfterMs?: number };
    const status = e.statusCode ?? 500;
    if (status === 429) return reply.code(429).type(HTML).send(renderLockedOutPage(Math.max(1, Math.ceil((e.retryAfterMs ?? LOGIN_WINDOW_MS) / 60_000))));
    if (status >= 500) req.log.error({ err: error }, "admin request failed");
    const message = status >= 500 ? "Hệ thống đang gặp sự cố tạm thời. Xin vui lòng thử lại sau ít phút." : "Yêu cầu không hợp lệ. Vui lòng kiểm tra và thử lại.";
    if (req.url.startsWith("/api/")) {
      return reply.code(status).send({ error: { code: status >= 500 ? "server:unavailable" : "request:invalid", message } });
    }
    return reply.code(status).type(HTML).send(renderAdminNotice({ title: "Có lỗi xảy ra", message, user: userOf.get(req) ?? null }));
  });

  /** The user of a live session cookie, renewing it when due; clears a dead one. */
  async function sessionUser(req: FastifyRequest, reply: FastifyReply): Promise<string | null> {
    const id = readSessionCookie(req.headers.cookie);
    if (!id) return null;
    const session = await o.sessions.get(id);
    const t = now().getTime();
    if (!session || session.expiresAt.getTime() <= t || !known.has(session.user)) {
      if (session) await o.sessions.delete(id);
      reply.header("set-cookie", clearedSessionCookie(secure(req)));
      return null;
    }
    if (session.expiresAt.getTime() - t < idleMs - renewAfterMs) {
      const fresh = await o.sessions.create(session.user, new Date(t + idleMs));
      await o.sessions.delete(id);
      reply.header("set-cookie", sessionCookie(fresh, idleMs / 1000, secure(req)));
    }
    return session.user;
  }

  // --- Login and logout (open to everyone) --------------------------------------------------------

  await scope.register(rateLimit, {
    global: false,
    keyGenerator: (req) => req.ip,
    errorResponseBuilder: (_req, context) => Object.assign(new Error("admin login rate limited"), { statusCode: 429, retryAfterMs: context.ttl }),
  });

  scope.get(LOGIN_PATH, async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const next = safeNext(q.tiep);
    if (await sessionUser(req, reply)) return reply.redirect(next ?? START, 302);
    return reply.type(HTML).send(renderLoginPage({ ...(next ? { next } : {}), ...("da-dang-xuat" in q ? { notice: "Bạn đã đăng xuất." } : {}) }));
  });

  scope.post(LOGIN_PATH, { config: { rateLimit: { max: perWindow, timeWindow: LOGIN_WINDOW_MS } } }, async (req, reply) => {
    const parsed = LoginBody.safeParse(req.body ?? {});
    const next = parsed.success ? safeNext(parsed.data.next) : undefined;
    const username = parsed.success ? parsed.data.username.normalize("NFC") : "";
    const password = parsed.success ? parsed.data.password : "";
    if (!username.trim() || !password) {
      return reply.code(400).type(HTML).send(renderLoginPage({ username, ...(next ? { next } : {}), message: "Vui lòng nhập tên đăng nhập và mật khẩu." }));
    }
    const user = await authenticate(username, password);
    if (!user) {
      const name = username.trim().toLowerCase();
      // Only a real account's name is logged: an unknown "name" is sometimes a password typed in the wrong box.
      req.log.warn({ admin: known.has(name) ? name : "(unknown)" }, "admin login failed");
      return reply.code(401).type(HTML).send(renderLoginPage({ username, ...(next ? { next } : {}), message: "Tên đăng nhập hoặc mật khẩu không đúng." }));
    }
    const previous = readSessionCookie(req.headers.cookie);
    if (previous) await o.sessions.delete(previous); // a new id at every login: no session fixation
    const id = await o.sessions.create(user, new Date(now().getTime() + idleMs));
    req.log.info({ admin: user }, "admin logged in");
    return reply.header("set-cookie", sessionCookie(id, idleMs / 1000, secure(req))).redirect(next ?? START, 303);
  });

  scope.post(LOGOUT_PATH, async (req, reply) => {
    const id = readSessionCookie(req.headers.cookie);
    if (id) await o.sessions.delete(id);
    return reply.header("set-cookie", clearedSessionCookie(secure(req))).redirect(`${LOGIN_PATH}?da-dang-xuat`, 303);
  });

  // --- Everything else needs an admin ------------------------------------------------------------

  await scope.register(async (secured) => {
    secured.addHook("onRequest", async (req, reply) => {
      const api = req.url.startsWith("/api/");
      const basic = api ? parseBasicAuth(req.headers.authorization) : null;
      if (basic) {
        const wait = basicFailures.blockedFor(req.ip);
        if (wait > 0) {
          const minutes = Math.ceil(wait / 60_000);
          return reply
            .code(429)
            .header("Retry-After", String(Math.ceil(wait / 1000)))
            .send({ error: { code: "auth:rate_limited", message: `Đã thử sai mật khẩu quá nhiều lần. Vui lòng thử lại sau ${minutes} phút.` } });
        }
        const user = await authenticate(basic.username, basic.password);
        if (user) {
          userOf.set(req, user);
          return;
        }
        basicFailures.fail(req.ip);
        req.log.warn("admin API: wrong Basic credentials");
        return reply
          .code(401)
          .header("WWW-Authenticate", 'Basic realm="tthc-admin", charset="UTF-8"')
          .send({ error: { code: "auth:invalid", message: "Tên đăng nhập hoặc mật khẩu không đúng." } });
      }
      const user = await sessionUser(req, reply);
      if (user) {
        userOf.set(req, user);
        return;
      }
      if (api) return reply.code(401).header("WWW-Authenticate", 'Basic realm="tthc-admin", charset="UTF-8"').send(AUTH_REQUIRED);
      const next = req.method === "GET" ? safeNext(req.url) : undefined;
      return reply.redirect(next ? `${LOGIN_PATH}?tiep=${encodeURIComponent(next)}` : LOGIN_PATH, 302);
    });

    secured.get("/admin", async (_req, reply) => reply.redirect(START, 302));

    const mount = <R>(name: ReportName, spec: ReportSpec<R>) =>
      mountReport(secured, name, spec, { dimensions: () => o.reports.dimensions(), now, userOf: (req) => userOf.get(req) ?? "" });
    mount("satisfaction", {
      grouped: true,
      read: (q) => o.reports.satisfaction(q.by, q.filter),
      columns: (q) => satisfactionColumns(q.by),
      render: renderSatisfactionPage,
    });
    mount("kpi", { grouped: true, read: (q) => o.reports.kpi(q.by, q.filter), columns: (q) => kpiColumns(q.by), render: renderKpiPage });
    mount("complaints", {
      grouped: false,
      read: (q) => o.reports.complaints(readerFilter(q)),
      columns: () => complaintColumns,
      render: (m) => renderComplaintsPage(m, { statusForm: o.complaints !== undefined }),
    });
    if (o.complaints) {
      const updater = o.complaints;
      secured.post(COMPLAINT_STATUS_PATH, async (req, reply) => {
        const parsed = ComplaintStatusBody.safeParse(req.body ?? {});
        if (!parsed.success) {
          return reply.code(400).type(HTML).send(renderAdminNotice({ title: "Yêu cầu không hợp lệ", message: "Số phản ánh hoặc trạng thái không hợp lệ.", user: userOf.get(req) ?? null, link: { href: REPORTS.complaints.path, label: "Về danh sách phản ánh" } }));
        }
        const { ref, status } = parsed.data;
        if (!(await updater.setStatus(ref, status))) {
          return reply.code(404).type(HTML).send(renderAdminNotice({ title: "Không tìm thấy phản ánh", message: `Không có phản ánh số ${ref}.`, user: userOf.get(req) ?? null, link: { href: REPORTS.complaints.path, label: "Về danh sách phản ánh" } }));
        }
        req.log.info({ admin: userOf.get(req), complaint: ref, status }, "admin: complaint status changed");
        return reply.redirect(`${REPORTS.complaints.path}?da-cap-nhat=${encodeURIComponent(ref)}`, 303);
      });
    }
    mount("unanswered", {
      grouped: false,
      read: async (q) => sortUnanswered(await o.reports.unanswered(q.filter)),
      columns: () => unansweredColumns,
      render: renderUnansweredPage,
    });
  });
}
