import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventKey, signatureVariants, signBody, translateEvent, verifySignature } from "../../../src/channels/zalo/inbound.ts";

const APP_ID = "1234567890123456789";
const OA_ID = "987654321098765432";
const OA_KEY = "oa-secret-key-XYZ";
const APP_SECRET = "app-secret-ABC";
const variants = signatureVariants({ appId: APP_ID, oaId: OA_ID, oaSecretKey: OA_KEY, appSecret: APP_SECRET });

const body = JSON.stringify({
  app_id: APP_ID,
  user_id_by_app: "5551234567890123456",
  event_name: "user_send_text",
  timestamp: "1763800000000",
  sender: { id: "2468013579246801357" },
  recipient: { id: OA_ID },
  message: { msg_id: "a1b2c3d4e5f6", text: "Làm căn cước cần gì?" },
});

/** The documented formula, written out independently of the code under test. */
const mac = (raw: string, id: string, key: string) =>
  `mac=${createHash("sha256").update(id + raw + "1763800000000" + key).digest("hex")}`;

describe("the Zalo webhook signature", () => {
  it("accepts SHA-256 of app_id + raw body + timestamp + OA secret key", () => {
    expect(verifySignature(Buffer.from(body), mac(body, APP_ID, OA_KEY), variants)?.name).toBe("app_id+oa_secret_key");
  });

  it("accepts the other documented variants when configured, and says which matched", () => {
    expect(verifySignature(Buffer.from(body), mac(body, OA_ID, OA_KEY), variants)?.name).toBe("oa_id+oa_secret_key");
    expect(verifySignature(Buffer.from(body), mac(body, APP_ID, APP_SECRET), variants)?.name).toBe("app_id+app_secret");
  });

  it("refuses a variant that is not configured", () => {
    const appOnly = signatureVariants({ appId: APP_ID, appSecret: APP_SECRET });
    expect(verifySignature(Buffer.from(body), mac(body, APP_ID, OA_KEY), appOnly)).toBeNull();
  });

  it("refuses a wrong, missing or malformed signature", () => {
    expect(verifySignature(Buffer.from(body), mac(body, APP_ID, "another-key"), variants)).toBeNull();
    expect(verifySignature(Buffer.from(body), undefined, variants)).toBeNull();
    expect(verifySignature(Buffer.from(body), "mac=zz", variants)).toBeNull();
    expect(verifySignature(Buffer.from(body), mac(body, APP_ID, OA_KEY).replace("mac=", "sha256="), variants)).toBeNull();
  });

  it("refuses the same event re-serialised (the signature covers the exact bytes)", () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(verifySignature(Buffer.from(reserialised), mac(body, APP_ID, OA_KEY), variants)).toBeNull();
  });

  it("refuses a body whose text was changed after signing", () => {
    const forged = body.replace("Làm căn cước", "Chuyển tiền");
    expect(verifySignature(Buffer.from(forged), mac(body, APP_ID, OA_KEY), variants)).toBeNull();
  });

  it("signBody (used by tests and the benchmark) agrees with the formula", () => {
    expect(signBody(body, APP_ID, OA_KEY)).toBe(mac(body, APP_ID, OA_KEY));
  });
});

const event = (extra: object) => ({ app_id: APP_ID, timestamp: "1763800000000", ...extra });

describe("Zalo events", () => {
  it("a text message becomes the citizen's text, in NFC", () => {
    const decomposed = "Lam ho chieu cần gì".normalize("NFD");
    const e = translateEvent(event({ event_name: "user_send_text", sender: { id: "111" }, message: { msg_id: "m1", text: decomposed } }));
    expect(e).toMatchObject({ kind: "text", userId: "111", text: decomposed.normalize("NFC") });
    expect((e as { at: Date }).at.toISOString()).toBe(new Date(1763800000000).toISOString());
  });

  it("a button's payload (#action, arriving as text) becomes the action; anything else after # stays text", () => {
    expect(translateEvent(event({ event_name: "user_send_text", sender: { id: "1" }, message: { msg_id: "m", text: "#c:1.001234" } }))).toMatchObject({
      kind: "action",
      action: "c:1.001234",
    });
    expect(translateEvent(event({ event_name: "user_send_text", sender: { id: "1" }, message: { msg_id: "m", text: "#hashtag vui" } }))).toMatchObject({
      kind: "text",
      text: "#hashtag vui",
    });
  });

  it("a 12,000-character message is cut to the core's 10,000", () => {
    const e = translateEvent(event({ event_name: "user_send_text", sender: { id: "1" }, message: { msg_id: "m", text: "a".repeat(12_000) } }));
    expect((e as { text: string }).text).toHaveLength(10_000);
  });

  it("follow, attachments, feedback, quiet and unknown events", () => {
    expect(translateEvent(event({ event_name: "follow", oa_id: OA_ID, follower: { id: "222" } }))).toMatchObject({ kind: "follow", userId: "222" });
    for (const name of ["user_send_image", "user_send_sticker", "user_send_file", "user_send_location"]) {
      expect(translateEvent(event({ event_name: name, sender: { id: "333" }, message: { msg_id: "x", attachments: [{ type: "image" }] } }))).toMatchObject({
        kind: "not_text",
        userId: "333",
      });
    }
    expect(
      translateEvent(event({ event_name: "user_feedback", oa_id: OA_ID, message: { msg_id: "tpl1", rate: 2, note: "Chờ lâu", feedbacks: ["Thái độ"], submit_time: "1763800100000" } })),
    ).toMatchObject({ kind: "feedback", msgId: "tpl1", stars: 2, note: "Chờ lâu", feedbacks: ["Thái độ"] });
    expect(translateEvent(event({ event_name: "unfollow", follower: { id: "1" } }))).toEqual({ kind: "quiet", name: "unfollow" });
    expect(translateEvent(event({ event_name: "user_reacted_message", sender: { id: "1" } }))).toEqual({ kind: "unknown", name: "user_reacted_message" });
  });

  it("ids that are numbers (they exceed 2^53) or a rating outside 1–5 are malformed, not guessed", () => {
    expect(translateEvent(event({ event_name: "user_send_text", sender: { id: 2468013579246801357 }, message: { msg_id: "m", text: "x" } })).kind).toBe("malformed");
    expect(translateEvent(event({ event_name: "user_feedback", message: { msg_id: "t", rate: 9 } })).kind).toBe("malformed");
    expect(translateEvent({ timestamp: "1" }).kind).toBe("malformed");
    expect(translateEvent("not an object").kind).toBe("malformed");
  });

  it("the dedupe key is the msg_id, or name + user + timestamp for events without one", () => {
    expect(eventKey(event({ event_name: "user_send_text", message: { msg_id: "abc" } }))).toBe("msg:abc");
    expect(eventKey(event({ event_name: "user_feedback", message: { msg_id: "abc" } }))).toBe("feedback:abc");
    expect(eventKey(event({ event_name: "follow", follower: { id: "42" } }))).toBe("follow:42:1763800000000");
    expect(eventKey({ nothing: true })).toBeNull();
  });
});
