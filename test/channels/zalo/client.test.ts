import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createZaloClient, ZaloApiError, type AccessTokens, type ZaloClient } from "../../../src/channels/zalo/client.ts";
import { FAKE_ZALO, startFakeZalo, ZALO_PATHS, type FakeZalo } from "../../fakes/fake-zalo-server.ts";

const USER = "2468013579246801357";

describe("the Zalo OA client against a fake Zalo", () => {
  let fake: FakeZalo;
  let client: ZaloClient;
  let refreshCalls: string[];
  /** Tokens straight from the fake; a refresh asks the fake for a new pair through the client. */
  let tokens: AccessTokens;

  beforeEach(async () => {
    fake = await startFakeZalo();
    client = createZaloClient({
      endpoints: { openApi: fake.url, oauth: fake.url, business: fake.url },
      appId: FAKE_ZALO.appId,
      appSecret: FAKE_ZALO.appSecret,
      retryBaseMs: 5,
    });
    refreshCalls = [];
    let access: string = fake.tokens.access;
    tokens = {
      current: async () => access,
      refreshAfterRejection: async (rejected) => {
        refreshCalls.push(rejected);
        const issued = await client.refresh(fake.tokens.refresh);
        access = issued.accessToken;
        return access;
      },
    };
  });
  afterEach(async () => fake.close());

  it("sends a CS message with buttons, with the token in the access_token header", async () => {
    const { messageId } = await client.sendCs(tokens, USER, {
      text: "Xin chào",
      buttons: [{ type: "oa.query.hide", title: "Lệ phí", payload: "#s:1.001:fees" }],
    });
    expect(messageId).toMatch(/^[0-9a-f]{32}$/);
    expect(fake.sent).toEqual([expect.objectContaining({ userId: USER, text: "Xin chào" })]);
    expect(fake.calls[0]!.headers.access_token).toBe(FAKE_ZALO.initialAccess);
  });

  it("refuses before sending what Zalo would refuse: 2,001 characters, 6 buttons, a non-numeric user id", async () => {
    await expect(client.sendCs(tokens, USER, { text: "a".repeat(2001) })).rejects.toThrow();
    const six = Array.from({ length: 6 }, (_, i) => ({ type: "oa.query.hide" as const, title: `N${i}`, payload: `#c:${i}` }));
    await expect(client.sendCs(tokens, USER, { text: "x", buttons: six })).rejects.toThrow();
    await expect(client.sendCs(tokens, "12345678901234567890123456789012345", { text: "x" })).rejects.toThrow();
    expect(fake.calls).toHaveLength(0);
  });

  it("retries Zalo's rate limit (-32, answered as HTTP 200) and a 503, then succeeds", async () => {
    fake.failNext(ZALO_PATHS.cs, { error: -32, message: "Exceeded rate limit" });
    fake.failNext(ZALO_PATHS.cs, { status: 503 });
    await client.sendCs(tokens, USER, { text: "Xin chào" });
    expect(fake.calls.filter((c) => c.path === ZALO_PATHS.cs)).toHaveLength(3);
    expect(fake.sent).toHaveLength(1);
  });

  it("gives up after 3 attempts on a lasting rate limit, with the error classified", async () => {
    fake.failNext(ZALO_PATHS.cs, { error: -32, message: "Exceeded rate limit" }, 10);
    const error = await client.sendCs(tokens, USER, { text: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ZaloApiError);
    expect(error).toMatchObject({ family: "oa", kind: "rate_limit", code: -32 });
    expect(fake.calls).toHaveLength(3);
  });

  it("an expired token (-220) is refreshed once and the message sent with the new one", async () => {
    fake.expireAccessToken();
    await client.sendCs(tokens, USER, { text: "Xin chào" });
    expect(refreshCalls).toEqual([FAKE_ZALO.initialAccess]);
    expect(fake.refreshes).toBe(1);
    expect(fake.calls.at(-1)!.headers.access_token).toBe(fake.tokens.access);
    expect(fake.sent).toHaveLength(1);
  });

  it("a token rejected again after the refresh fails instead of looping", async () => {
    fake.failNext(ZALO_PATHS.cs, { error: -216, message: "Access token is invalid" }, 5);
    const error = await client.sendCs(tokens, USER, { text: "x" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "token", code: -216 });
    expect(refreshCalls).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path === ZALO_PATHS.cs)).toHaveLength(2);
  });

  it("other errors fail at once without a retry (bad parameters, window closed)", async () => {
    fake.failNext(ZALO_PATHS.cs, { error: -201, message: "Parameters are invalid" });
    await expect(client.sendCs(tokens, USER, { text: "x" })).rejects.toMatchObject({ kind: "rejected", code: -201 });
    fake.setWindow(USER, "closed");
    await expect(client.sendCs(tokens, USER, { text: "x" })).rejects.toMatchObject({ kind: "window", code: -230 });
    expect(fake.calls).toHaveLength(2);
  });

  it("reads the window from the quota API: open, paid (free replies spent), closed", async () => {
    expect(await client.window(tokens, USER)).toEqual({ window: "open", remain: 8 });
    fake.setWindow(USER, "paid");
    expect((await client.window(tokens, USER)).window).toBe("paid");
    fake.setWindow(USER, "closed");
    expect((await client.window(tokens, USER)).window).toBe("closed");
  });

  it("sends template messages by user id and by phone, reading msg_id", async () => {
    const a = await client.sendTemplate(tokens, USER, "tpl-rating", { ma_ho_so: "H12.01-251120-0001" });
    const b = await client.sendTemplateByPhone(tokens, "84912345678", "tpl-status", { ma_ho_so: "X" }, "track-1");
    expect(a.msgId).toMatch(/^[0-9a-f]{32}$/);
    expect(b.msgId).toMatch(/^[0-9a-f]{32}$/);
    expect(fake.templates.map((t) => t.templateId)).toEqual(["tpl-rating", "tpl-status"]);
  });

  it("the template API's own token code (-124) counts as a token error there", async () => {
    fake.expireAccessToken();
    await client.sendTemplateByPhone(tokens, "84912345678", "tpl", { a: "1" }, "t");
    expect(refreshCalls).toHaveLength(1);
  });

  it("a refresh is never retried: a refused refresh token is a dead grant", async () => {
    fake.failNext(ZALO_PATHS.accessToken, { status: 502 });
    await expect(client.refresh(fake.tokens.refresh)).rejects.toMatchObject({ family: "oauth", kind: "unavailable" });
    fake.killGrant();
    await expect(client.refresh(fake.tokens.refresh)).rejects.toMatchObject({ family: "oauth", kind: "grant", code: -14014 });
    expect(fake.calls.filter((c) => c.path === ZALO_PATHS.accessToken)).toHaveLength(2);
  });
});
