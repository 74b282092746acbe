import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A real HTTP server speaking the Zalo Official Account Open API wire format, so the Zalo client is
 * tested through the network stack and never reaches Zalo (there is no sandbox). One server answers the
 * paths of all three Zalo hosts: give its `url` as the base URL for `openapi.zalo.me` (CS messages,
 * template by user id, quota), `business.openapi.zalo.me` (template by phone) and `oauth.zaloapp.com`
 * (token refresh).
 *
 * Like Zalo, it answers errors as HTTP 200 with `{error: <nonzero>, message}`, takes the token in an
 * `access_token` header (not Bearer), refuses what Zalo refuses (text over 2,000 characters, more than 5
 * buttons, malformed buttons, a user outside the 7-day window) and treats refresh tokens as single-use
 * and rotating: re-using a spent refresh token destroys the grant, as two concurrent refreshes would.
 * Every call is recorded, including refused ones; failures and delays can be programmed per path.
 *
 * Uncertain facts (see /work/shared/CHANNELS.md), modelled on one plausible variant:
 * - the quota answer's shape (`cs_reply.remain`/`total`, `promotion.remain`, numbers as strings) and
 *   how many free replies an open window allows (8 here; "paid" means none left);
 * - the exact messages, and the codes for a wrong `grant_type` or a non-form body on the OAuth endpoint
 *   (answered -201 here);
 * - whether the template-by-phone API answers more fields (real ZNS adds a `quota` object).
 */

export const FAKE_ZALO = {
  appId: "1234567890123456789",
  oaId: "987654321098765432",
  appSecret: "fake-app-secret-KEY",
  initialAccess: "access-0",
  initialRefresh: "refresh-0",
} as const;

/** The paths the fake answers (all POST). */
export const ZALO_PATHS = {
  cs: "/v3.0/oa/message/cs",
  template: "/v3.0/oa/message/template",
  templateByPhone: "/message/template",
  quota: "/v3.0/oa/quota/message",
  accessToken: "/v4/oa/access_token",
} as const;

/** Zalo's limits, as enforced by the fake. */
export const ZALO_LIMITS = { textLength: 2000, buttons: 5, buttonTitle: 100, queryPayload: 1000 } as const;

export interface ZaloButton { type: string; title: string; payload: unknown }

export interface RecordedZaloCall {
  path: string;
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or the fields of a form-encoded one; {} when unparsable. */
  body: Record<string, unknown>;
  /** Date.now() on arrival. */
  at: number;
  /** The JSON answered; for a programmed `{status}` failure, `{status, body}`. */
  answer: unknown;
}

export interface SentCs { userId: string; text: string; buttons: ZaloButton[]; messageId: string }

/** `userId` for the OA template API, `phone` (and `trackingId`) for the business one. */
export interface SentTemplate { userId?: string; phone?: string; templateId: string; templateData: Record<string, unknown>; msgId: string; trackingId?: string }

/** A Zalo error answered as HTTP 200, or a bare HTTP status (502, 503…) with an optional raw body. */
export type ZaloFailure = { error: number; message: string } | { status: number; body?: string };

export interface FakeZalo {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** Every call received, in arrival order (a live array). */
  calls: RecordedZaloCall[];
  /** Accepted CS messages, in order (a live array). */
  sent: SentCs[];
  /** Accepted template messages, by user id or by phone, in order (a live array). */
  templates: SentTemplate[];
  /** Successful token refreshes since start (or the last reset). */
  refreshes: number;
  /** The currently valid pair. */
  tokens: { access: string; refresh: string };
  /** The next `times` (default 1) calls to `path` answer `failure`, before any other check. */
  failNext(path: string, failure: ZaloFailure, times?: number): void;
  /** The user's 7-day window; unknown users are "open". "paid" = open, but no free reply left. */
  setWindow(userId: string, state: "open" | "paid" | "closed"): void;
  /** The current access token answers -220 (expired) from now on (-124 on the template-by-phone API). */
  expireAccessToken(): void;
  /** Every refresh fails with -14014 from now on. */
  killGrant(): void;
  /** Delay the answers on `path` by `ms` (0 to stop). The state changes on arrival, not after the delay. */
  setDelay(path: string, ms: number): void;
  /** `setDelay` on the OAuth path. */
  setRefreshDelay(ms: number): void;
  /** Polls `pick` every 10 ms until it returns something other than undefined/false. Default 3000 ms. */
  waitFor<T>(pick: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  /** Clears records, `refreshes`, failures, delays and windows; the token state (pair, expiry, dead grant) stays. */
  reset(): void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;
/** An HTTP answer: JSON, or a raw string (programmed `{status}` failures). */
type Reply = { status: number; body: Json | string };

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isText = (v: unknown, max = Infinity): v is string => typeof v === "string" && v.length >= 1 && v.length <= max;
const hex32 = (): string => randomBytes(16).toString("hex");
const ok = (data: Json): Reply => ({ status: 200, body: { error: 0, message: "Success", data } });
const fail = (error: number, message: string, extra: Json = {}): Reply => ({ status: 200, body: { error, message, ...extra } });
const invalid = (what: string): Reply => fail(-201, `Parameters are invalid: ${what}`);
const NOT_FOUND: Reply = { status: 404, body: { error: 404, message: "not found" } };
const WINDOW_CLOSED = "User has not interacted with the OA in the past 7 days";

/** The first problem Zalo would report with a button, or undefined. */
function buttonProblem(b: unknown, i: number): string | undefined {
  if (!isObject(b)) return `buttons[${i}] must be an object`;
  if (!isText(b.title, ZALO_LIMITS.buttonTitle)) return `buttons[${i}].title must be 1..${ZALO_LIMITS.buttonTitle} characters`;
  const p = b.payload;
  switch (b.type) {
    case "oa.query.hide":
    case "oa.query.show":
      return isText(p, ZALO_LIMITS.queryPayload) ? undefined : `buttons[${i}].payload must be a string of 1..${ZALO_LIMITS.queryPayload} characters`;
    case "oa.open.url":
      return isObject(p) && typeof p.url === "string" && /^https?:\/\/\S+$/.test(p.url) ? undefined : `buttons[${i}].payload.url must be an http(s) URL`;
    case "oa.open.phone":
      return isObject(p) && isText(p.phone_code) ? undefined : `buttons[${i}].payload.phone_code is required`;
    default:
      return `buttons[${i}].type ${JSON.stringify(b.type)} is not supported`;
  }
}

function flatHeaders(h: IncomingHttpHeaders): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k] = Array.isArray(v) ? v.join(", ") : v;
  return out;
}

function parseJson(raw: string): Json | undefined {
  try {
    const parsed = JSON.parse(raw) as unknown;
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function startFakeZalo(): Promise<FakeZalo> {
  const calls: RecordedZaloCall[] = [];
  const sent: SentCs[] = [];
  const templates: SentTemplate[] = [];
  const failures = new Map<string, Array<{ left: number; failure: ZaloFailure }>>();
  const delays = new Map<string, number>();
  const windows = new Map<string, "open" | "paid" | "closed">();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<(reason: Error) => void>();
  let access: string = FAKE_ZALO.initialAccess;
  let refresh: string = FAKE_ZALO.initialRefresh;
  let expiredAccess: string | undefined;
  const spentRefresh = new Set<string>();
  let killed = false;
  let issued = 0;
  let refreshes = 0;

  function takeFailure(path: string): ZaloFailure | undefined {
    const list = failures.get(path);
    const head = list?.[0];
    if (!list || !head) return undefined;
    if (--head.left <= 0) list.shift();
    if (list.length === 0) failures.delete(path);
    return head.failure;
  }

  /** The token refusal of an OA or template call; `code` replaces both -216 and -220 (the ZNS API's -124). */
  function tokenProblem(token: string | undefined, code?: number): Reply | undefined {
    if (token === undefined || token !== access) return fail(code ?? -216, "Access token is invalid");
    if (token === expiredAccess) return code ? fail(code, "Access token is invalid") : fail(-220, "Access token has expired");
    return undefined;
  }

  function sendCs(body: Json): Reply {
    const recipient = body.recipient;
    const message = body.message;
    const userId = isObject(recipient) ? recipient.user_id : undefined;
    if (!isText(userId)) return invalid("recipient.user_id is required");
    const text = isObject(message) ? message.text : undefined;
    if (!isObject(message) || !isText(text, ZALO_LIMITS.textLength)) return invalid(`message.text must be 1..${ZALO_LIMITS.textLength} characters`);
    let buttons: ZaloButton[] = [];
    if (message.attachment !== undefined) {
      const a = message.attachment;
      const list = isObject(a) && a.type === "template" && isObject(a.payload) ? a.payload.buttons : undefined;
      if (!Array.isArray(list)) return invalid('message.attachment must be {type:"template", payload:{buttons:[...]}}');
      if (list.length < 1 || list.length > ZALO_LIMITS.buttons) return invalid(`1..${ZALO_LIMITS.buttons} buttons are allowed, got ${list.length}`);
      for (const [i, b] of list.entries()) {
        const problem = buttonProblem(b, i);
        if (problem) return invalid(problem);
      }
      buttons = list as ZaloButton[];
    }
    if ((windows.get(userId) ?? "open") === "closed") return fail(-230, WINDOW_CLOSED);
    const messageId = hex32();
    sent.push({ userId, text, buttons, messageId });
    return ok({ message_id: messageId, user_id: userId });
  }

  function sendTemplate(body: Json, byPhone: boolean): Reply {
    const { user_id: userId, phone, template_id: templateId, template_data: templateData, tracking_id: trackingId } = body;
    if (byPhone ? typeof phone !== "string" || !/^84\d{9,10}$/.test(phone) : !isText(userId)) {
      return invalid(byPhone ? "phone must be 84 followed by 9 or 10 digits" : "user_id is required");
    }
    if (!isText(templateId)) return invalid("template_id is required");
    if (!isObject(templateData)) return invalid("template_data must be an object");
    if (trackingId !== undefined && typeof trackingId !== "string") return invalid("tracking_id must be a string");
    const msgId = hex32();
    const record: SentTemplate = { templateId, templateData, msgId };
    if (byPhone) record.phone = phone as string;
    else record.userId = userId as string;
    if (trackingId !== undefined) record.trackingId = trackingId;
    templates.push(record);
    const data: Json = { msg_id: msgId, sent_time: String(Date.now()) };
    if (byPhone && trackingId !== undefined) data.tracking_id = trackingId;
    return ok(data);
  }

  function quota(body: Json): Reply {
    const userId = body.user_id;
    if (!isText(userId)) return invalid("user_id is required");
    const state = windows.get(userId) ?? "open";
    if (state === "closed") return fail(-230, WINDOW_CLOSED);
    return ok({ user_id: userId, cs_reply: { remain: state === "paid" ? "0" : "8", total: "8" }, promotion: { remain: "0" } });
  }

  function refreshToken(headers: Record<string, string | undefined>, form: Json): Reply {
    if (headers.secret_key !== FAKE_ZALO.appSecret || form.app_id !== FAKE_ZALO.appId) return fail(-14002, "Invalid app secret");
    if (form.grant_type !== "refresh_token") return invalid("grant_type must be refresh_token");
    const given = form.refresh_token;
    const refused = fail(-14014, "Invalid refresh token", { error_name: "invalid_grant", error_description: "Invalid refresh token" });
    if (killed) return refused;
    if (given !== refresh) {
      // A spent refresh token means two holders raced: Zalo revokes the whole grant.
      if (typeof given === "string" && spentRefresh.has(given)) killed = true;
      return refused;
    }
    spentRefresh.add(refresh);
    issued++;
    access = `access-${issued}`;
    refresh = `refresh-${issued}`;
    refreshes++;
    return { status: 200, body: { access_token: access, refresh_token: refresh, expires_in: "90000" } };
  }

  /** `body` is the parsed form or JSON object; undefined when a JSON body did not parse to an object. */
  function route(method: string | undefined, path: string, headers: Record<string, string | undefined>, body: Json | undefined, form: boolean): Reply {
    const failure = takeFailure(path);
    if (failure) return "error" in failure ? fail(failure.error, failure.message) : { status: failure.status, body: failure.body ?? "" };
    if (method !== "POST" || !(Object.values(ZALO_PATHS) as string[]).includes(path)) return NOT_FOUND;
    if (path === ZALO_PATHS.accessToken) return form ? refreshToken(headers, body ?? {}) : invalid("the body must be application/x-www-form-urlencoded");
    const byPhone = path === ZALO_PATHS.templateByPhone;
    const refused = tokenProblem(headers.access_token, byPhone ? -124 : undefined);
    if (refused) return refused;
    if (form || !body) return fail(-201, "Parameters are invalid");
    if (path === ZALO_PATHS.cs) return sendCs(body);
    if (path === ZALO_PATHS.quota) return quota(body);
    return sendTemplate(body, byPhone);
  }

  function setDelay(path: string, ms: number): void {
    if (ms > 0) delays.set(path, ms);
    else delays.delete(path);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const at = Date.now();
    const path = (req.url ?? "/").split("?")[0]!;
    const headers = flatHeaders(req.headers);
    const form = (headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
    const parsed = form ? Object.fromEntries(new URLSearchParams(raw)) : parseJson(raw);
    const reply = route(req.method, path, headers, parsed, form);
    calls.push({ path, headers, body: parsed ?? {}, at, answer: typeof reply.body === "string" ? { status: reply.status, body: reply.body } : reply.body });
    const ms = delays.get(path) ?? 0;
    if (ms > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => resolve(void timers.delete(t)), ms);
        timers.add(t);
      });
    }
    if (res.destroyed || res.writableEnded) return;
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    const type = typeof reply.body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
    res.writeHead(reply.status, { "content-type": type, "content-length": Buffer.byteLength(text) });
    res.end(text);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake Zalo: ${String(error)}`);
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    sent,
    templates,
    get refreshes() { return refreshes; },
    get tokens() { return { access, refresh }; },
    failNext(path, failure, times = 1) {
      if (times > 0) failures.set(path, [...(failures.get(path) ?? []), { left: times, failure }]);
    },
    setWindow: (userId, state) => void windows.set(userId, state),
    expireAccessToken: () => void (expiredAccess = access),
    killGrant: () => void (killed = true),
    setDelay,
    setRefreshDelay: (ms) => setDelay(ZALO_PATHS.accessToken, ms),
    waitFor<T>(pick: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const deadline = Date.now() + timeoutMs;
        let lastError: unknown;
        const settle = (done: () => void): void => {
          clearInterval(timer);
          waiters.delete(stop);
          done();
        };
        const stop = (e: Error): void => settle(() => reject(e));
        const check = (): void => {
          try {
            const v = pick();
            if (v !== undefined && v !== false) return settle(() => resolve(v));
          } catch (e) {
            lastError = e;
          }
          if (Date.now() < deadline) return;
          const seen = calls.map((c) => `${c.path} → ${JSON.stringify(c.answer).slice(0, 80)}`).join(" | ") || "(none)";
          const why = lastError === undefined ? "" : `; the condition last threw: ${String(lastError)}`;
          stop(new Error(`fake Zalo: condition not met within ${timeoutMs} ms${why}; recorded calls: ${seen}`));
        };
        const timer = setInterval(check, 10);
        waiters.add(stop);
        check();
      });
    },
    reset() {
      calls.length = sent.length = templates.length = refreshes = 0;
      for (const m of [failures, delays, windows]) m.clear();
    },
    async close() {
      for (const stop of [...waiters]) stop(new Error("fake Zalo: closed while waiting"));
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
