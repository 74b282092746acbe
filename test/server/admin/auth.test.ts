import { describe, expect, it, vi } from "vitest";
import {
  createAuthenticator,
  createFailureCounter,
  createMemorySessionStore,
  hashPassword,
  isPasswordHash,
  parseBasicAuth,
  readSessionCookie,
  sessionCookie,
  verifyPassword,
} from "../../../src/server/admin/auth.ts";

describe("admin passwords", () => {
  it("are stored as scrypt$<16-byte salt>$<32-byte key>, salted differently each time", async () => {
    const a = await hashPassword("một cụm mật khẩu dài");
    const b = await hashPassword("một cụm mật khẩu dài");
    expect(a).toMatch(/^scrypt\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.split("$")[1]!, "base64")).toHaveLength(16);
    expect(Buffer.from(a.split("$")[2]!, "base64")).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(a).not.toContain("một cụm");
    expect(isPasswordHash(a)).toBe(true);
  });

  it("verify the right password only; composed and decomposed Vietnamese letters are the same password", async () => {
    const stored = await hashPassword("Hà Nội mùa thu 2026");
    expect(await verifyPassword("Hà Nội mùa thu 2026", stored)).toBe(true);
    expect(await verifyPassword("Hà Nội mùa thu 2026".normalize("NFD"), stored)).toBe(true);
    expect(await verifyPassword("Ha Noi mua thu 2026", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("match the scrypt parameters N=16384, r=8, p=1 (a hash made elsewhere verifies)", async () => {
    const { scryptSync } = await import("node:crypto");
    const salt = Buffer.alloc(16, 7);
    const key = scryptSync("mat khau ngoai", salt, 32, { N: 16384, r: 8, p: 1 });
    expect(await verifyPassword("mat khau ngoai", `scrypt$${salt.toString("base64")}$${key.toString("base64")}`)).toBe(true);
  });

  it("never verify against a malformed stored value", async () => {
    expect(await verifyPassword("x", "plain-text-password")).toBe(false);
    expect(await verifyPassword("", "scrypt$$")).toBe(false);
  });
});

describe("checking an admin's name and password", () => {
  it("returns the name for the right password, null otherwise; names are case- and space-insensitive", async () => {
    const users = [{ username: "canbo01", passwordHash: await hashPassword("mật khẩu đúng 123") }];
    const authenticate = createAuthenticator(users);
    expect(await authenticate("canbo01", "mật khẩu đúng 123")).toBe("canbo01");
    expect(await authenticate(" CanBo01 ", "mật khẩu đúng 123")).toBe("canbo01");
    expect(await authenticate("canbo01", "mật khẩu sai")).toBeNull();
    expect(await authenticate("khongco", "mật khẩu đúng 123")).toBeNull();
  });

  it("does the same scrypt work for an unknown name as for a wrong password (against a dummy hash)", async () => {
    const stored = await hashPassword("mật khẩu đúng 123");
    const verify = vi.fn(verifyPassword);
    const authenticate = createAuthenticator([{ username: "canbo01", passwordHash: stored }], { verify });
    await authenticate("khongco", "đoán thử");
    expect(verify).toHaveBeenCalledTimes(1);
    const [password, dummy] = verify.mock.calls[0]!;
    expect(password).toBe("đoán thử");
    expect(isPasswordHash(dummy)).toBe(true);
    expect(dummy).not.toBe(stored);
    await authenticate("canbo01", "đoán thử");
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify.mock.calls[1]).toEqual(["đoán thử", stored]);
  });
});

describe("admin sessions in memory", () => {
  it("creates 32-byte random base64url ids, reads and deletes them", async () => {
    const store = createMemorySessionStore();
    const expiresAt = new Date(Date.now() + 60_000);
    const a = await store.create("canbo01", expiresAt);
    const b = await store.create("canbo01", expiresAt);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(a).not.toBe(b);
    expect(await store.get(a)).toEqual({ user: "canbo01", expiresAt });
    await store.delete(a);
    expect(await store.get(a)).toBeNull();
    expect(await store.get(b)).not.toBeNull();
  });

  it("drops expired sessions when new ones are made", async () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const store = createMemorySessionStore({ now: () => now });
    const old = await store.create("canbo01", new Date("2026-01-01T00:30:00Z"));
    now = new Date("2026-01-01T01:00:00Z");
    await store.create("canbo01", new Date("2026-01-01T01:30:00Z"));
    expect(await store.get(old)).toBeNull();
  });
});

describe("the session cookie", () => {
  it("is HttpOnly, SameSite=Strict, Path=/, ends with the session, and Secure only over https", () => {
    expect(sessionCookie("abc", 1800, false)).toBe("tthc_admin=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=1800");
    expect(sessionCookie("abc", 1800, true)).toBe("tthc_admin=abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=1800; Secure");
  });

  it("is read among other cookies; a value that is not a session id is ignored", () => {
    const id = "A".repeat(43);
    expect(readSessionCookie(`a=1; tthc_admin=${id}; b=2`)).toBe(id);
    expect(readSessionCookie("tthc_admin=' or 1=1 --")).toBeNull();
    expect(readSessionCookie(undefined)).toBeNull();
  });
});

describe("Basic credentials and failed attempts", () => {
  it("parses Authorization: Basic with a UTF-8 password containing a colon", () => {
    const header = `Basic ${Buffer.from("canbo01:mật:khẩu").toString("base64")}`;
    expect(parseBasicAuth(header)).toEqual({ username: "canbo01", password: "mật:khẩu" });
    expect(parseBasicAuth("Bearer abc")).toBeNull();
    expect(parseBasicAuth(`Basic ${Buffer.from("no-colon").toString("base64")}`)).toBeNull();
  });

  it("blocks an address after max failures until the window ends", () => {
    let now = new Date("2026-01-01T00:00:00Z");
    const counter = createFailureCounter({ max: 2, windowMs: 15 * 60_000, now: () => now });
    counter.fail("1.2.3.4");
    expect(counter.blockedFor("1.2.3.4")).toBe(0);
    counter.fail("1.2.3.4");
    expect(counter.blockedFor("1.2.3.4")).toBe(15 * 60_000);
    expect(counter.blockedFor("5.6.7.8")).toBe(0);
    now = new Date("2026-01-01T00:15:00Z");
    expect(counter.blockedFor("1.2.3.4")).toBe(0);
  });
});
