import { describe, it, expect, afterEach } from "vitest";
import { FAKE_ZALO, ZALO_PATHS, startFakeZalo, type FakeZalo } from "./fake-zalo-server.ts";

/** These tests speak to the fake with plain fetch, as the project's Zalo client does. */

interface ZaloAnswer {
  error?: number;
  message?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

let fake: FakeZalo | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(): Promise<FakeZalo> {
  fake = await startFakeZalo();
  return fake;
}

async function post(f: FakeZalo, path: string, body: unknown, token: string | null = f.tokens.access): Promise<{ status: number; json: ZaloAnswer }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== null) headers.access_token = token;
  const res = await fetch(`${f.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text.startsWith("{") ? (JSON.parse(text) as ZaloAnswer) : { raw: text } };
}

async function refresh(f: FakeZalo, refreshToken: string, secret: string = FAKE_ZALO.appSecret): Promise<ZaloAnswer> {
  const res = await fetch(`${f.url}${ZALO_PATHS.accessToken}`, {
    method: "POST",
    headers: { secret_key: secret },
    body: new URLSearchParams({ refresh_token: refreshToken, app_id: FAKE_ZALO.appId, grant_type: "refresh_token" }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as ZaloAnswer;
}

const cs = (userId: string, text: string, attachment?: unknown): unknown => ({ recipient: { user_id: userId }, message: { text, ...(attachment ? { attachment } : {}) } });
const button = (i: number): unknown => ({ type: "oa.query.hide", title: `Chọn ${i}`, payload: `#rate:${i}` });

describe("fake Zalo OA server", () => {
  it("accepts a CS message with buttons and records it", async () => {
    const f = await start();
    const buttons = [button(1), { type: "oa.open.url", title: "Xem", payload: { url: "https://dichvucong.gov.vn" } }, { type: "oa.open.phone", title: "Gọi", payload: { phone_code: "1900" } }];
    const { status, json } = await post(f, ZALO_PATHS.cs, cs("5550001112223334445", "Chào bạn", { type: "template", payload: { buttons } }));
    expect(status).toBe(200);
    expect(json.error).toBe(0);
    expect(json.message).toBe("Success");
    expect(json.data?.message_id).toMatch(/^[0-9a-f]{32}$/);
    expect(json.data?.user_id).toBe("5550001112223334445");
    expect(f.sent).toEqual([{ userId: "5550001112223334445", text: "Chào bạn", buttons, messageId: json.data?.message_id }]);
    expect(f.calls).toHaveLength(1);
    expect(f.calls[0]).toMatchObject({ path: ZALO_PATHS.cs, headers: { access_token: "access-0" }, answer: json });
  });

  it("refuses 2,001 characters, 6 buttons and a malformed button with -201", async () => {
    const f = await start();
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "a".repeat(2000)))).json.error).toBe(0);
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "a".repeat(2001)))).json.error).toBe(-201);
    const six = { type: "template", payload: { buttons: [1, 2, 3, 4, 5, 6].map(button) } };
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "x", six))).json.error).toBe(-201);
    const badUrl = { type: "template", payload: { buttons: [{ type: "oa.open.url", title: "Xem", payload: { url: "ftp://x" } }] } };
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "x", badUrl))).json.error).toBe(-201);
    const notJson = await fetch(`${f.url}${ZALO_PATHS.cs}`, { method: "POST", headers: { access_token: f.tokens.access }, body: "{oops" });
    expect(await notJson.json()).toEqual({ error: -201, message: "Parameters are invalid" });
    expect(f.sent).toHaveLength(1);
    expect(f.calls).toHaveLength(5);
  });

  it("answers -216 for a wrong or missing token and -220 once the token has expired", async () => {
    const f = await start();
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"), "wrong")).json).toEqual({ error: -216, message: "Access token is invalid" });
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"), null)).json.error).toBe(-216);
    f.expireAccessToken();
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"))).json).toEqual({ error: -220, message: "Access token has expired" });
    expect((await post(f, ZALO_PATHS.template, { user_id: "u1", template_id: "t", template_data: {} })).json.error).toBe(-220);
    expect((await post(f, ZALO_PATHS.templateByPhone, { phone: "84901234567", template_id: "t", template_data: {} })).json.error).toBe(-124);
    expect(f.sent).toHaveLength(0);
    expect(f.calls).toHaveLength(5);
  });

  it("refuses a CS message to a user outside the 7-day window with -230", async () => {
    const f = await start();
    f.setWindow("u1", "closed");
    const { status, json } = await post(f, ZALO_PATHS.cs, cs("u1", "hi"));
    expect(status).toBe(200);
    expect(json.error).toBe(-230);
    expect(f.sent).toHaveLength(0);
  });

  it("answers the quota per window state, numbers as strings", async () => {
    const f = await start();
    f.setWindow("paid", "paid");
    f.setWindow("closed", "closed");
    const open = await post(f, ZALO_PATHS.quota, { user_id: "open" });
    expect(open.json).toEqual({ error: 0, message: "Success", data: { user_id: "open", cs_reply: { remain: "8", total: "8" }, promotion: { remain: "0" } } });
    expect((await post(f, ZALO_PATHS.quota, { user_id: "paid" })).json.data?.cs_reply).toEqual({ remain: "0", total: "8" });
    expect((await post(f, ZALO_PATHS.quota, { user_id: "closed" })).json.error).toBe(-230);
  });

  it("rotates the pair on refresh; the old access token then fails -216", async () => {
    const f = await start();
    expect(await refresh(f, "refresh-0", "wrong-secret")).toEqual({ error: -14002, message: "Invalid app secret" });
    const answer = await refresh(f, "refresh-0");
    expect(answer).toEqual({ access_token: "access-1", refresh_token: "refresh-1", expires_in: "90000" });
    expect(f.tokens).toEqual({ access: "access-1", refresh: "refresh-1" });
    expect(f.refreshes).toBe(1);
    expect(f.calls[1]?.body).toEqual({ refresh_token: "refresh-0", app_id: FAKE_ZALO.appId, grant_type: "refresh_token" });
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"), "access-0")).json.error).toBe(-216);
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"), "access-1")).json.error).toBe(0);
  });

  it("re-using a spent refresh token kills the grant, and killGrant does too", async () => {
    const f = await start();
    await refresh(f, "refresh-0");
    const replay = await refresh(f, "refresh-0");
    expect(replay).toMatchObject({ error: -14014, message: "Invalid refresh token", error_name: "invalid_grant" });
    expect((await refresh(f, "refresh-1")).error).toBe(-14014);
    expect(f.refreshes).toBe(1);

    const g = await startFakeZalo();
    try {
      expect((await refresh(g, "never-issued")).error).toBe(-14014);
      expect((await refresh(g, "refresh-0")).access_token).toBe("access-1"); // an unknown token does not kill
      g.killGrant();
      expect((await refresh(g, "refresh-1")).error).toBe(-14014);
    } finally {
      await g.close();
    }

    // Two concurrent refreshes with the same token: the slower one replays a spent token and kills the grant.
    const h = await startFakeZalo();
    try {
      h.setRefreshDelay(50);
      const answers = await Promise.all([refresh(h, "refresh-0"), refresh(h, "refresh-0")]);
      expect(answers.map((a) => a.error ?? 0).sort()).toEqual([-14014, 0]);
      expect((await refresh(h, h.tokens.refresh)).error).toBe(-14014);
    } finally {
      await h.close();
    }
  });

  it("failNext answers a Zalo error or an HTTP status once, before the token check", async () => {
    const f = await start();
    f.failNext(ZALO_PATHS.cs, { error: -32, message: "Exceeded rate limit" });
    f.failNext(ZALO_PATHS.cs, { status: 503, body: "Service Unavailable" });
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"), "wrong")).json).toEqual({ error: -32, message: "Exceeded rate limit" });
    const unavailable = await post(f, ZALO_PATHS.cs, cs("u1", "hi"));
    expect(unavailable).toEqual({ status: 503, json: { raw: "Service Unavailable" } });
    expect((await post(f, ZALO_PATHS.cs, cs("u1", "hi"))).json.error).toBe(0);
    expect(f.calls.map((c) => c.answer)).toMatchObject([{ error: -32 }, { status: 503 }, { error: 0 }]);
    f.failNext(ZALO_PATHS.accessToken, { status: 502 }, 2);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${f.url}${ZALO_PATHS.accessToken}`, { method: "POST", headers: { secret_key: FAKE_ZALO.appSecret }, body: new URLSearchParams({ refresh_token: "refresh-0", app_id: FAKE_ZALO.appId, grant_type: "refresh_token" }) });
      statuses.push(res.status);
      await res.text();
    }
    expect(statuses).toEqual([502, 502, 200]);
    expect(f.refreshes).toBe(1);
  });

  it("sends templates by user id (any window) and by phone, echoing tracking_id", async () => {
    const f = await start();
    f.setWindow("u1", "closed");
    const byUser = await post(f, ZALO_PATHS.template, { user_id: "u1", template_id: "355330", template_data: { ma_ho_so: "HS-1" } });
    expect(byUser.json.error).toBe(0);
    expect(byUser.json.data?.msg_id).toMatch(/^[0-9a-f]{32}$/);
    expect(byUser.json.data?.sent_time).toMatch(/^\d{13}$/);
    const byPhone = await post(f, ZALO_PATHS.templateByPhone, { phone: "84901234567", template_id: "355331", template_data: {}, tracking_id: "dossier-7" });
    expect(byPhone.json.data).toMatchObject({ tracking_id: "dossier-7" });
    expect((await post(f, ZALO_PATHS.templateByPhone, { phone: "0901234567", template_id: "t", template_data: {} })).json.error).toBe(-201);
    expect((await post(f, ZALO_PATHS.templateByPhone, { phone: "84901234567", template_id: "t", template_data: {} }, "wrong")).json).toEqual({ error: -124, message: "Access token is invalid" });
    expect(f.templates).toEqual([
      { userId: "u1", templateId: "355330", templateData: { ma_ho_so: "HS-1" }, msgId: byUser.json.data?.msg_id },
      { phone: "84901234567", templateId: "355331", templateData: {}, msgId: byPhone.json.data?.msg_id, trackingId: "dossier-7" },
    ]);
  });

  it("answers 404 for an unknown path and records it", async () => {
    const f = await start();
    const res = await post(f, "/v2.0/oa/message", {});
    expect(res).toEqual({ status: 404, json: { error: 404, message: "not found" } });
    expect(f.calls).toMatchObject([{ path: "/v2.0/oa/message", answer: { error: 404 } }]);
  });

  it("delays answers, waits for a condition, and resets records but not tokens", async () => {
    const f = await start();
    f.setDelay(ZALO_PATHS.cs, 150);
    const started = Date.now();
    const pending = post(f, ZALO_PATHS.cs, cs("u1", "hi"));
    const recorded = await f.waitFor(() => f.sent[0]);
    expect(recorded.text).toBe("hi"); // recorded on arrival, before the delayed answer
    await pending;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await expect(f.waitFor(() => f.sent.length > 5, 50)).rejects.toThrow(/fake Zalo: condition not met within 50 ms/);
    await refresh(f, "refresh-0");
    f.reset();
    expect([f.calls.length, f.sent.length, f.refreshes]).toEqual([0, 0, 0]);
    expect(f.tokens).toEqual({ access: "access-1", refresh: "refresh-1" });
  });
});
