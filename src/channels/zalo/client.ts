import { z } from "zod";

/**
 * A small typed client for the few Zalo Official Account Open API calls the assistant makes (no SDK
 * exists). Facts and uncertain points: ../shared/CHANNELS.md.
 *
 * - Requests are checked with zod before they leave (text ≤ 2,000, ≤ 5 buttons, titles ≤ 100): a reply
 *   Zalo would refuse is a bug here, not a retry.
 * - Responses are checked with zod; ids stay strings (they exceed 2^53).
 * - Zalo answers errors as HTTP 200 with `error != 0`, with a different code set per API family. Each
 *   error is classified (`ZaloApiError.kind`): rate limits, 5xx and network failures are retried with
 *   backoff (a bounded number of times); an invalid or expired token is refreshed once and the call
 *   repeated once; everything else fails at once. Nothing loops.
 */

export interface ZaloEndpoints {
  /** openapi.zalo.me: CS messages, template messages by user id, quota. */
  openApi: string;
  /** oauth.zaloapp.com: token refresh. */
  oauth: string;
  /** business.openapi.zalo.me: template messages by phone number. */
  business: string;
}

export const ZALO_ENDPOINTS: ZaloEndpoints = {
  openApi: "https://openapi.zalo.me",
  oauth: "https://oauth.zaloapp.com",
  business: "https://business.openapi.zalo.me",
};

/** Zalo's limits on a CS message. */
export const ZALO_LIMITS = { text: 2000, buttons: 5, buttonTitle: 100, queryPayload: 1000 } as const;

export type ZaloFamily = "oa" | "template" | "oauth";

/**
 * What went wrong, as far as the caller cares:
 * token — the access token is invalid or expired (refresh, then once more);
 * window — the citizen has not written for 7 days (-230): a CS message cannot reach them now;
 * rate_limit, unavailable — retryable (Zalo's -32, HTTP 429/5xx, network);
 * grant — the refresh token is dead: a person must authorise the app again;
 * rejected — anything else (bad parameters, unknown user, app not allowed): retrying cannot help.
 */
export type ZaloErrorKind = "token" | "window" | "rate_limit" | "unavailable" | "grant" | "rejected";

export class ZaloApiError extends Error {
  override name = "ZaloApiError";
  constructor(
    readonly family: ZaloFamily,
    readonly kind: ZaloErrorKind,
    /** Zalo's `error` code, or the HTTP status when the answer was not Zalo's JSON, or 0 for a network error. */
    readonly code: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get retryable(): boolean {
    return this.kind === "rate_limit" || this.kind === "unavailable";
  }
}

/** Classifies a Zalo `error` code per API family (the families use different code sets). */
export function classifyZaloError(family: ZaloFamily, code: number): ZaloErrorKind {
  switch (family) {
    case "oa":
      if (code === -216 || code === -220 || code === -204) return "token";
      if (code === -230) return "window";
      if (code === -32) return "rate_limit";
      if (code === -500 || code === -501) return "unavailable";
      return "rejected";
    case "template":
      if (code === -124 || code === -216 || code === -220) return "token";
      if (code === -32) return "rate_limit";
      if (code === -500 || code === -501) return "unavailable";
      return "rejected";
    case "oauth":
      // -14014 invalid refresh token, -14019/-14020 expired or revoked grant, -14002 wrong app secret.
      if (code === -14014 || code === -14019 || code === -14020 || code === -14002 || code === -14003) return "grant";
      if (code === -32) return "rate_limit";
      return "rejected";
  }
}

// --- requests -------------------------------------------------------------------------------------

const Id = z.string().regex(/^\d{1,30}$/, "expected a Zalo id (digits, as a string)");

export const ZaloButton = z.discriminatedUnion("type", [
  z.object({
    type: z.enum(["oa.query.hide", "oa.query.show"]),
    title: z.string().min(1).max(ZALO_LIMITS.buttonTitle),
    payload: z.string().min(1).max(ZALO_LIMITS.queryPayload),
  }),
  z.object({
    type: z.literal("oa.open.url"),
    title: z.string().min(1).max(ZALO_LIMITS.buttonTitle),
    payload: z.object({ url: z.url({ protocol: /^https?$/ }) }),
  }),
  z.object({
    type: z.literal("oa.open.phone"),
    title: z.string().min(1).max(ZALO_LIMITS.buttonTitle),
    payload: z.object({ phone_code: z.string().regex(/^\+?\d{3,15}$/) }),
  }),
]);
export type ZaloButton = z.infer<typeof ZaloButton>;

/** One CS message: text and at most 5 buttons. */
export const CsMessage = z.object({
  text: z.string().min(1).max(ZALO_LIMITS.text),
  buttons: z.array(ZaloButton).max(ZALO_LIMITS.buttons).optional(),
});
export type CsMessage = z.infer<typeof CsMessage>;

const TemplateData = z.record(z.string().regex(/^[a-z_][a-z0-9_]{0,49}$/), z.union([z.string().max(500), z.number()]));

// --- responses ------------------------------------------------------------------------------------

/** Zalo's envelope: `error` 0 on success (absent on some success answers), a message, maybe data. */
const Envelope = z.object({
  error: z.coerce.number().int().optional(),
  message: z.string().optional(),
  data: z.unknown().optional(),
});

const CsData = z.object({ message_id: z.string().min(1), user_id: z.string().optional() });
// The template APIs are documented with `msg_id`; some answers say `message_id`. Either is accepted.
const TemplateData_ = z
  .object({ msg_id: z.string().min(1).optional(), message_id: z.string().min(1).optional(), tracking_id: z.string().optional() })
  .refine((d) => d.msg_id !== undefined || d.message_id !== undefined, "expected msg_id");
const Remain = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform(Number);
const QuotaData = z.object({ cs_reply: z.object({ remain: Remain.optional() }).passthrough().optional() }).passthrough();
const TokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number),
});

/** Whether a CS message can reach the citizen now: "open" (free replies left), "paid" (window open, free
 *  replies spent: a reply costs), "closed" (no interaction for 7 days: only a template can). */
export type ZaloWindow = "open" | "paid" | "closed";

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives (Zalo: 90,000 = 25 h). */
  expiresInSeconds: number;
}

/** Where the client gets the access token, and how it asks for a new one after Zalo rejected it. */
export interface AccessTokens {
  current(): Promise<string>;
  /** Called once per request when Zalo answered "token invalid/expired" for `rejected`. */
  refreshAfterRejection(rejected: string): Promise<string>;
}

export interface ZaloClientOptions {
  endpoints?: Partial<ZaloEndpoints>;
  appId: string;
  appSecret: string;
  /** Attempts for retryable failures (rate limit, 5xx, network), first included. Default 3. */
  maxAttempts?: number;
  /** Backoff before the n-th retry: base × 2^(n−1), with jitter. Default 300 ms. */
  retryBaseMs?: number;
  /** Per-request timeout. Default 10 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface ZaloClient {
  /** A CS ("tư vấn") message to a user who wrote within the window. Returns Zalo's message id. */
  sendCs(tokens: AccessTokens, userId: string, message: CsMessage): Promise<{ messageId: string }>;
  /** An approved template message (e.g. type 5, service rating) to a user id. */
  sendTemplate(tokens: AccessTokens, userId: string, templateId: string, data: Record<string, string | number>): Promise<{ msgId: string }>;
  /** A template message to a phone number (84…), with our tracking id (returned on `user_feedback`). */
  sendTemplateByPhone(
    tokens: AccessTokens,
    phone: string,
    templateId: string,
    data: Record<string, string | number>,
    trackingId: string,
  ): Promise<{ msgId: string }>;
  /** The user's window, from the message quota API. */
  window(tokens: AccessTokens, userId: string): Promise<{ window: ZaloWindow; remain: number | null }>;
  /** Trades the single-use refresh token for a new pair. Never retried: a refresh token spent twice kills the grant. */
  refresh(refreshToken: string): Promise<IssuedTokens>;
}

export function createZaloClient(options: ZaloClientOptions): ZaloClient {
  const endpoints = { ...ZALO_ENDPOINTS, ...options.endpoints };
  const doFetch = options.fetch ?? fetch;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const retryBaseMs = options.retryBaseMs ?? 300;
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** One HTTP exchange → the envelope's data, or a classified error. */
  async function exchange(family: ZaloFamily, url: string, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new ZaloApiError(family, "unavailable", 0, `network: ${(error as Error).message}`, { cause: error });
    }
    const body = await response.text();
    if (response.status === 429 || response.status >= 500) {
      throw new ZaloApiError(family, response.status === 429 ? "rate_limit" : "unavailable", response.status, `HTTP ${response.status}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new ZaloApiError(family, response.ok ? "unavailable" : "rejected", response.status, `HTTP ${response.status}: not JSON`);
    }
    const envelope = Envelope.safeParse(json);
    if (!envelope.success) throw new ZaloApiError(family, "rejected", response.status, "answer is not a Zalo envelope");
    const code = envelope.data.error ?? 0;
    if (code !== 0) throw new ZaloApiError(family, classifyZaloError(family, code), code, envelope.data.message ?? `error ${code}`);
    if (!response.ok) throw new ZaloApiError(family, "rejected", response.status, `HTTP ${response.status}`);
    return family === "oauth" ? json : envelope.data.data;
  }

  /** Retries what is retryable; refreshes the token once on a token error. */
  async function call<T>(family: ZaloFamily, tokens: AccessTokens, url: string, body: object, schema: z.ZodType<T>): Promise<T> {
    let token = await tokens.current();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const data = await exchange(family, url, {
          method: "POST",
          headers: { "content-type": "application/json", access_token: token },
          body: JSON.stringify(body),
        });
        const parsed = schema.safeParse(data);
        if (!parsed.success) throw new ZaloApiError(family, "rejected", 0, `unexpected answer: ${parsed.error.issues[0]?.message ?? "invalid"}`);
        return parsed.data;
      } catch (error) {
        if (!(error instanceof ZaloApiError)) throw error;
        if (error.kind === "token" && !refreshed) {
          refreshed = true;
          token = await tokens.refreshAfterRejection(token);
          attempt--; // the repeat after a refresh is not a retry
          continue;
        }
        if (!error.retryable || attempt >= maxAttempts) throw error;
        await sleep(retryBaseMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
      }
    }
  }

  return {
    async sendCs(tokens, userId, message) {
      const m = CsMessage.parse(message);
      const body = {
        recipient: { user_id: Id.parse(userId) },
        message: {
          text: m.text,
          ...(m.buttons?.length ? { attachment: { type: "template", payload: { buttons: m.buttons } } } : {}),
        },
      };
      const data = await call("oa", tokens, `${endpoints.openApi}/v3.0/oa/message/cs`, body, CsData);
      return { messageId: data.message_id };
    },

    async sendTemplate(tokens, userId, templateId, data) {
      const body = { user_id: Id.parse(userId), template_id: z.string().min(1).max(50).parse(templateId), template_data: TemplateData.parse(data) };
      const answer = await call("oa", tokens, `${endpoints.openApi}/v3.0/oa/message/template`, body, TemplateData_);
      return { msgId: (answer.msg_id ?? answer.message_id)! };
    },

    async sendTemplateByPhone(tokens, phone, templateId, data, trackingId) {
      const body = {
        phone: z.string().regex(/^84\d{9,10}$/, "expected a phone number as 84xxxxxxxxx").parse(phone),
        template_id: z.string().min(1).max(50).parse(templateId),
        template_data: TemplateData.parse(data),
        tracking_id: z.string().min(1).max(48).parse(trackingId),
      };
      const answer = await call("template", tokens, `${endpoints.business}/message/template`, body, TemplateData_);
      return { msgId: (answer.msg_id ?? answer.message_id)! };
    },

    async window(tokens, userId) {
      try {
        const data = await call("oa", tokens, `${endpoints.openApi}/v3.0/oa/quota/message`, { user_id: Id.parse(userId) }, QuotaData);
        const remain = data.cs_reply?.remain ?? null;
        // Remaining free replies unknown: the window is open (Zalo answered for this user); the send decides.
        return { window: remain === null || remain > 0 ? "open" : "paid", remain };
      } catch (error) {
        if (error instanceof ZaloApiError && error.kind === "window") return { window: "closed", remain: 0 };
        throw error;
      }
    },

    async refresh(refreshToken) {
      const form = new URLSearchParams({ refresh_token: refreshToken, app_id: options.appId, grant_type: "refresh_token" });
      const json = await exchange("oauth", `${endpoints.oauth}/v4/oa/access_token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", secret_key: options.appSecret },
        body: form.toString(),
      });
      const parsed = TokenAnswer.safeParse(json);
      if (!parsed.success) throw new ZaloApiError("oauth", "rejected", 0, "token answer without access_token/refresh_token");
      return { accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token, expiresInSeconds: parsed.data.expires_in };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
