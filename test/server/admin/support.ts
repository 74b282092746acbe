import pino from "pino";
import { createHttpServer } from "../../../src/server/app.ts";
import { createMemorySessionStore, hashPassword, type AdminSessionStore, type AdminUser } from "../../../src/server/admin/auth.ts";
import { emptyCatalogue } from "../../fakes/in-memory.ts";
import { createFakeReports } from "../../fakes/fake-reports.ts";

export const PASSWORD = "mật khẩu thử nghiệm 2026";
export const OTHER_PASSWORD = "một mật khẩu khác nữa";
/** 10:00 on 25 November 2026 in Vietnam: the default period is 2025-12 to 2026-11. */
export const START_TIME = new Date("2026-11-25T03:00:00Z");

let usersOnce: Promise<AdminUser[]> | undefined;
/** Two admins (hashing takes a moment, so once per test file). */
export function adminUsers(): Promise<AdminUser[]> {
  usersOnce ??= Promise.all([
    hashPassword(PASSWORD).then((passwordHash) => ({ username: "canbo01", passwordHash })),
    hashPassword(OTHER_PASSWORD).then((passwordHash) => ({ username: "lanhdao.tinh", passwordHash })),
  ]);
  return usersOnce;
}

/** The HTTP app with the admin area over the fake reader, a memory session store and a clock the test moves. */
export async function adminApp(options: { loginPerWindow?: number; sessionIdleMinutes?: number; sessions?: AdminSessionStore } = {}) {
  const clock = { now: new Date(START_TIME) };
  const reports = createFakeReports();
  /** Status changes the complaints form made, in order. */
  const statusChanges: { ref: string; status: string }[] = [];
  const complaints = {
    async setStatus(ref: string, status: "new" | "in_progress" | "resolved") {
      statusChanges.push({ ref, status });
      return ref.startsWith("PA-2611");
    },
  };
  const sessions = options.sessions ?? createMemorySessionStore({ now: () => clock.now });
  const app = createHttpServer({
    catalogue: emptyCatalogue,
    health: { database: { kind: "embedded", vectorSearch: false } },
    logger: pino({ level: "silent" }),
    admin: {
      reports,
      complaints,
      users: await adminUsers(),
      sessions,
      sessionIdleMinutes: options.sessionIdleMinutes ?? 30,
      loginPerWindow: options.loginPerWindow ?? 1000,
      now: () => clock.now,
    },
  });
  let address = 0;
  /** Logs in through the form from a fresh address; returns the Cookie header to send. */
  async function login(username = "canbo01", password = PASSWORD): Promise<string> {
    const res = await app.inject({
      method: "POST",
      url: "/admin/dang-nhap",
      remoteAddress: `10.0.0.${++address % 250}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ username, password }).toString(),
    });
    if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode}`);
    return cookieFrom(res.headers["set-cookie"]);
  }
  function advance(minutes: number): void {
    clock.now = new Date(clock.now.getTime() + minutes * 60_000);
  }
  return { app, reports, sessions, clock, login, advance, statusChanges };
}

/** "tthc_admin=<id>" from a Set-Cookie header. */
export function cookieFrom(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie.join("\n") : (setCookie ?? "");
  const m = /tthc_admin=([^;]*)/.exec(header);
  if (!m) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return `tthc_admin=${m[1]}`;
}

/** A form post's headers and body; `headers` adds to (never replaces) the content type. */
export const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
  payload: new URLSearchParams(fields).toString(),
});

/** RFC 4180, as a spreadsheet reads it: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === "") {
      quoted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else if (ch === "\n" || ch === "\r" || ch === '"') {
      throw new Error(`bare ${JSON.stringify(ch)} outside quotes at ${i}`);
    } else {
      field += ch;
      i++;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
