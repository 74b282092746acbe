import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createConversationStore } from "../../../src/adapters/postgres/conversation-store.ts";
import type { ConversationState, ConversationStore } from "../../../src/core/ports.ts";
import { freshDatabase } from "../../support/databases.ts";

const birth = { code: "1.001193", name: "Đăng ký khai sinh" };
const marriage = { code: "1.000894", name: "Đăng ký kết hôn" };

describe("the conversation store (PGlite)", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let store: ConversationStore;

  beforeEach(async () => {
    ctx = await freshDatabase("pglite");
    store = createConversationStore(ctx.db.pool);
  });
  afterEach(async () => {
    await ctx.dispose();
  });

  it("starts a chat it has never seen with an empty state at version 0", async () => {
    expect(await store.load("web", "new-chat")).toEqual({ state: {}, version: 0 });
  });

  it("loads back exactly the state it saved, Vietnamese text included, at the next version", async () => {
    const state: ConversationState = { procedure: birth, offered: [birth, { code: "1.001695", name: "Đăng ký khai sinh có yếu tố nước ngoài" }] };
    expect(await store.save("web", "chat-1", state, 0)).toBe(true);
    expect(await store.load("web", "chat-1")).toEqual({ state, version: 1 });
  });

  it("saves again on top of the version it loaded", async () => {
    await store.save("web", "chat-1", { procedure: birth }, 0);
    const { version } = await store.load("web", "chat-1");
    expect(await store.save("web", "chat-1", { procedure: marriage }, version)).toBe(true);
    expect(await store.load("web", "chat-1")).toEqual({ state: { procedure: marriage }, version: 2 });
  });

  it("refuses a save made with a stale version and keeps what the other turn saved", async () => {
    await store.save("web", "chat-1", { procedure: birth }, 0);
    const first = await store.load("web", "chat-1");
    const second = await store.load("web", "chat-1");
    expect(await store.save("web", "chat-1", { procedure: marriage }, second.version)).toBe(true);
    expect(await store.save("web", "chat-1", { offered: [birth] }, first.version)).toBe(false);
    expect(await store.load("web", "chat-1")).toEqual({ state: { procedure: marriage }, version: 2 });
  });

  it("refuses to create a chat twice from version 0", async () => {
    expect(await store.save("web", "chat-1", { procedure: birth }, 0)).toBe(true);
    expect(await store.save("web", "chat-1", { procedure: marriage }, 0)).toBe(false);
    expect((await store.load("web", "chat-1")).state).toEqual({ procedure: birth });
  });

  it("keeps chats of different channels and chat ids apart", async () => {
    await store.save("web", "42", { procedure: birth }, 0);
    await store.save("telegram", "42", { procedure: marriage }, 0);
    expect((await store.load("web", "42")).state).toEqual({ procedure: birth });
    expect((await store.load("telegram", "42")).state).toEqual({ procedure: marriage });
    expect(await store.load("web", "43")).toEqual({ state: {}, version: 0 });
  });

  it("forgets the state of a conversation idle for more than a day, but keeps its version", async () => {
    await store.save("web", "chat-1", { procedure: birth }, 0);
    await ctx.db.pool.query(`update conversations set updated_at = now() - interval '25 hours' where chat_id = 'chat-1'`);
    expect(await store.load("web", "chat-1")).toEqual({ state: {}, version: 1 });
    expect(await store.save("web", "chat-1", { procedure: marriage }, 1)).toBe(true);
    expect(await store.load("web", "chat-1")).toEqual({ state: { procedure: marriage }, version: 2 });
  });
});
