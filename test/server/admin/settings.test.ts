import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/config.ts";
import { problemsOf } from "../../support/config.ts";
import { hashPassword, verifyPassword } from "../../../src/server/admin/auth.ts";

const ROOT = path.resolve(import.meta.dirname, "../../..");


describe("the admin settings", () => {
  it("leave the admin area off without ADMIN_USERS", () => {
    expect(loadConfig({}).admin).toBeNull();
  });

  it("read comma-separated name:hash entries, and the idle minutes (default 30)", async () => {
    const [a, b] = await Promise.all([hashPassword("mật khẩu thứ nhất"), hashPassword("mật khẩu thứ hai")]);
    const config = loadConfig({ ADMIN_USERS: `canbo01:${a}, lanh-dao.tinh_2:${b}` });
    expect(config.admin).toEqual({ users: [{ username: "canbo01", passwordHash: a }, { username: "lanh-dao.tinh_2", passwordHash: b }], sessionIdleMinutes: 30 });
    expect(loadConfig({ ADMIN_USERS: `canbo01:${a}`, ADMIN_SESSION_IDLE_MINUTES: "15" }).admin?.sessionIdleMinutes).toBe(15);
  });

  it("refuse a plain password, a bad name, a duplicate name and bad minutes, naming the variable", async () => {
    const hash = await hashPassword("mật khẩu thứ nhất");
    const format = "ADMIN_USERS: expected name:scrypt$<salt>$<hash> entries separated by commas (names: 2–32 of a–z 0–9 . _ -); make a hash with npm run admin:hash-password";
    expect(problemsOf({ ADMIN_USERS: "canbo01:matkhau123" })).toEqual([format]);
    expect(problemsOf({ ADMIN_USERS: `CanBo:${hash}` })).toEqual([format]);
    expect(problemsOf({ ADMIN_USERS: `x:${hash}` })).toEqual([format]);
    expect(problemsOf({ ADMIN_USERS: `canbo01:${hash},` })).toEqual([format]);
    expect(problemsOf({ ADMIN_USERS: `canbo01:${hash},canbo01:${hash}` })).toEqual(["ADMIN_USERS: expected each admin name only once"]);
    expect(problemsOf({ ADMIN_SESSION_IDLE_MINUTES: "0" })[0]).toMatch(/^ADMIN_SESSION_IDLE_MINUTES: /);
    expect(problemsOf({ ADMIN_SESSION_IDLE_MINUTES: "abc" })).toEqual(["ADMIN_SESSION_IDLE_MINUTES: expected minutes"]);
  });
});

function run(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/admin-password.ts", ...args], { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("npm run admin:hash-password", () => {
  it("hashes the first line of piped stdin, printing only the hash", async () => {
    const out = await run([], "một cụm mật khẩu dài\nthe second line is ignored\n");
    expect(out.code).toBe(0);
    const hash = out.stdout.trim();
    expect(hash).toMatch(/^scrypt\$[^$]+\$[^$]+$/);
    expect(await verifyPassword("một cụm mật khẩu dài", hash)).toBe(true);
    expect(out.stdout + out.stderr).not.toContain("một cụm");
  });

  it("prints a whole ADMIN_USERS entry with --user, which the settings accept", async () => {
    const out = await run(["--user", "canbo01"], "một cụm mật khẩu dài\r\n");
    expect(out.code).toBe(0);
    const entry = out.stdout.trim();
    expect(loadConfig({ ADMIN_USERS: entry }).admin?.users[0]?.username).toBe("canbo01");
  });

  it("refuses a short password", async () => {
    const out = await run([], "ngắn\n");
    expect(out.code).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("Mật khẩu cần ít nhất 12 ký tự");
  });
});
