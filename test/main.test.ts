import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { readKnowledge } from "../src/adapters/catalogue/knowledge-files.ts";
import { startFakeTelegram, textUpdate } from "./fakes/fake-telegram-server.ts";
import { FAKE_ZALO, startFakeZalo } from "./fakes/fake-zalo-server.ts";
import { signBody } from "../src/channels/zalo/inbound.ts";
import { hashPassword } from "../src/server/admin/auth.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

async function waitHealthy(port: number, deadlineMs = 60_000): Promise<Record<string, any>> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return (await res.json()) as Record<string, any>;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the assistant did not become healthy in time");
}

describe("npm start", () => {
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it("starts on a fresh data directory with the default catalogue loaded, stops cleanly, and reopens it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-start-"));
    dirs.push(dir);
    const expected = (await readKnowledge(path.join(ROOT, "knowledge"))).procedures.length;
    const port = await freePort();
    const env = { DATA_DIR: path.join(dir, "data"), PORT: String(port) };

    const first = start(env);
    const health = await waitHealthy(port);
    expect(health).toMatchObject({ status: "ok", database: { kind: "embedded", reachable: true }, catalogue: { procedures: expected, curated: expected, guides: 5 } });
    const page = await (await fetch(`http://127.0.0.1:${port}/thu-tuc?q=khai%20sinh`)).text();
    expect(page).toContain("khai sinh");
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);

    const second = start(env);
    const again = await waitHealthy(port);
    expect(again.catalogue.procedures).toBe(expected);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain("database migrations applied");
  });

  it("with a Telegram token, checks it, registers the commands and answers by long polling", async () => {
    const fake = await startFakeTelegram({ token: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" });
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-tg-"));
    dirs.push(dir);
    const port = await freePort();
    const run = start({ DATA_DIR: path.join(dir, "data"), PORT: String(port), TELEGRAM_BOT_TOKEN: fake.token, TELEGRAM_API_ROOT: fake.url });
    try {
      await waitHealthy(port);
      await fake.waitFor("getUpdates", 1, 30_000);
      expect(fake.calls("getMe")).toHaveLength(1);
      expect(fake.calls("setMyCommands")).toHaveLength(1);
      fake.pushUpdate(textUpdate({ chatId: 4242, text: "xin chào" }));
      await fake.waitFor("sendMessage", 1, 15_000);
      expect(fake.sent()[0]).toMatchObject({ chat_id: 4242, text: expect.stringContaining("Xin chào") });
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
      await fake.close();
    }
  });

  it("with a Zalo app, answers a signed webhook event, and shows a dead grant on /health without crashing", async () => {
    const fake = await startFakeZalo();
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-zalo-"));
    dirs.push(dir);
    const port = await freePort();
    const oaKey = "oa-secret-key-main-test";
    const run = start({
      DATA_DIR: path.join(dir, "data"),
      PORT: String(port),
      ZALO_APP_ID: FAKE_ZALO.appId,
      ZALO_APP_SECRET: FAKE_ZALO.appSecret,
      ZALO_OA_SECRET_KEY: oaKey,
      ZALO_REFRESH_TOKEN: FAKE_ZALO.initialRefresh,
      ZALO_API_ROOT: fake.url,
      ZALO_OAUTH_ROOT: fake.url,
      ZALO_BUSINESS_ROOT: fake.url,
    });
    const post = (userId: string, text: string) => {
      const raw = JSON.stringify({ app_id: FAKE_ZALO.appId, event_name: "user_send_text", timestamp: String(Date.now()), sender: { id: userId }, recipient: { id: FAKE_ZALO.oaId }, message: { msg_id: `m${Date.now()}${text.length}`, text } });
      return fetch(`http://127.0.0.1:${port}/webhooks/zalo`, { method: "POST", headers: { "content-type": "application/json", "x-zevent-signature": signBody(raw, FAKE_ZALO.appId, oaKey) }, body: raw });
    };
    try {
      await waitHealthy(port);
      expect((await post("1111111111111111111", "xin chào")).status).toBe(200);
      const reply = await fake.waitFor(() => fake.sent[0], 20_000);
      expect(reply).toMatchObject({ userId: "1111111111111111111", text: expect.stringContaining("Xin chào") });
      expect(fake.refreshes).toBe(1); // only a refresh token was given: the first use refreshed it

      fake.killGrant();
      fake.expireAccessToken();
      expect((await post("2222222222222222222", "xin chào")).status).toBe(200);
      const health = await (async () => {
        for (let i = 0; i < 100; i++) {
          const h = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as Record<string, any>;
          if (h.status === "attention") return h;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error("no alert on /health");
      })();
      expect(health.alerts).toEqual([expect.objectContaining({ key: "zalo:grant", message: expect.stringContaining("Zalo OA") })]);
      expect(run.output().match(/the grant is dead/g)).toHaveLength(1);
      expect(run.output()).not.toContain(fake.tokens.refresh);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill("SIGKILL");
      await fake.close();
    }
  });

  it("with ADMIN_USERS, serves the reports to an admin only (the demo dossiers' figures)", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-admin-"));
    dirs.push(dir);
    const port = await freePort();
    const password = "mat-khau-rat-dai-2026";
    const run = start({ DATA_DIR: path.join(dir, "data"), PORT: String(port), ADMIN_USERS: `canbo01:${await hashPassword(password)}` });
    try {
      await waitHealthy(port);
      const url = `http://127.0.0.1:${port}/api/v1/reports/satisfaction?by=month`;
      expect((await fetch(url)).status).toBe(401);
      const res = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`canbo01:${password}`).toString("base64")}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { rows: { closed: number }[] };
      expect(body.rows.reduce((n, r) => n + r.closed, 0)).toBeGreaterThan(0); // demo dossiers closed in the last 12 months
      expect((await fetch(`http://127.0.0.1:${port}/admin/bao-cao/hai-long`, { redirect: "manual" })).status).toBe(302);
      run.child.kill("SIGTERM");
      expect(await run.exited).toBe(0);
      expect(run.output()).not.toContain(password);
    } finally {
      run.child.kill("SIGKILL");
    }
  });

  it("stops at start-up with a clear message when Telegram refuses the token", async () => {
    const fake = await startFakeTelegram();
    const dir = await mkdtemp(path.join(tmpdir(), "tthc-tg-"));
    dirs.push(dir);
    const run = start({ DATA_DIR: path.join(dir, "data"), PORT: String(await freePort()), TELEGRAM_BOT_TOKEN: "987654321:AAWrongTokenWrongTokenWrongToken", TELEGRAM_API_ROOT: fake.url });
    try {
      expect(await run.exited).toBe(1);
      expect(run.output()).toContain("Telegram refused TELEGRAM_BOT_TOKEN (401 Unauthorized)");
      expect(run.output()).not.toContain("987654321:AAWrong");
    } finally {
      await fake.close();
    }
  });

  it("refuses to start on a wrong setting and names it", async () => {
    const run = start({ PORT: "abc" });
    expect(await run.exited).toBe(2);
    expect(run.output()).toContain("PORT: expected a port number");
  });
});
