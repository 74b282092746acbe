import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Credentials and sessions of the admin pages. Passwords are stored only as scrypt hashes in
 * `ADMIN_USERS` (`name:scrypt$<saltB64>$<hashB64>`); sessions are random ids kept in an
 * {@link AdminSessionStore} (in memory here, Postgres in production) and carried in one cookie.
 */

/** One admin, as parsed from ADMIN_USERS: the name and the stored `scrypt$<salt>$<hash>`. */
export interface AdminUser {
  username: string;
  passwordHash: string;
}

// scrypt parameters are fixed by the stored format (it carries only salt and hash): N=2^14, r=8, p=1.
const SCRYPT_OPTIONS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const STORED = /^scrypt\$([A-Za-z0-9+/]{22}(?:==)?)\$([A-Za-z0-9+/]{43}=?)$/;

function derive(password: string, salt: Buffer): Promise<Buffer> {
  // NFC: the same Vietnamese password typed on two keyboards (composed or decomposed marks) is one password.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, KEY_BYTES, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes a password for ADMIN_USERS: `scrypt$<16-byte salt, base64>$<32-byte key, base64>`. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt);
  return `scrypt$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** True when `stored` has the shape hashPassword produces. */
export function isPasswordHash(stored: string): boolean {
  return STORED.test(stored);
}

/**
 * Checks a password against a stored hash, comparing in constant time. A malformed stored value is
 * still hashed against (and fails), so it costs the same time as a wrong password.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = STORED.exec(stored);
  const salt = m ? Buffer.from(m[1]!, "base64") : Buffer.alloc(SALT_BYTES);
  const expected = m ? Buffer.from(m[2]!, "base64") : Buffer.alloc(KEY_BYTES);
  const actual = await derive(password, salt);
  return timingSafeEqual(actual, expected) && m !== null;
}

/**
 * Checks a username and password against the configured admins and returns the username, or null.
 * An unknown username is verified against a dummy hash, so it takes as long as a wrong password and
 * the response time does not reveal which names exist. `verify` is replaceable for tests.
 */
export function createAuthenticator(
  users: readonly AdminUser[],
  options: { verify?: (password: string, stored: string) => Promise<boolean> } = {},
): (username: string, password: string) => Promise<string | null> {
  const verify = options.verify ?? verifyPassword;
  const byName = new Map(users.map((u) => [u.username, u.passwordHash]));
  // Made once, up front, with the same parameters as a real hash (so the first unknown name is not slower).
  const dummy = hashPassword(randomBytes(18).toString("base64"));
  dummy.catch(() => undefined);
  return async (username, password) => {
    const name = username.trim().toLowerCase();
    const stored = byName.get(name);
    if (stored === undefined) {
      await verify(password, await dummy);
      return null;
    }
    return (await verify(password, stored)) ? name : null;
  };
}

/** The credentials of an `Authorization: Basic …` header, or null when there is none or it is malformed. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,2000})\s*$/i.exec(header ?? "");
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// --- Sessions ---------------------------------------------------------------------------------------

export interface AdminSession {
  user: string;
  expiresAt: Date;
}

/**
 * Where admin sessions live. Implementations generate the id with {@link newSessionId} (a Postgres
 * store should keep only a SHA-256 of it, so a copy of the table opens no session). `get` may return
 * an expired session: the caller compares `expiresAt` with its own clock and deletes it.
 */
export interface AdminSessionStore {
  /** Stores a new session and returns its id. */
  create(user: string, expiresAt: Date): Promise<string>;
  get(id: string): Promise<AdminSession | null>;
  delete(id: string): Promise<void>;
}

/** A new session id: 32 random bytes, base64url (43 characters). */
export function newSessionId(): string {
  return randomBytes(32).toString("base64url");
}

/** True when `id` could be one newSessionId made; anything else is not looked up. */
export function isSessionId(id: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(id);
}

/**
 * Sessions in a Map, for one process (tests, a single embedded instance). Expired sessions are
 * dropped when new ones are created, so the map stays as small as the number of live sessions.
 */
export function createMemorySessionStore(options: { now?: () => Date } = {}): AdminSessionStore {
  const now = options.now ?? (() => new Date());
  const sessions = new Map<string, AdminSession>();
  return {
    async create(user, expiresAt) {
      const t = now().getTime();
      for (const [id, s] of sessions) if (s.expiresAt.getTime() <= t) sessions.delete(id);
      const id = newSessionId();
      sessions.set(id, { user, expiresAt: new Date(expiresAt) });
      return id;
    },
    async get(id) {
      const s = sessions.get(id);
      return s ? { user: s.user, expiresAt: new Date(s.expiresAt) } : null;
    },
    async delete(id) {
      sessions.delete(id);
    },
  };
}

// --- Cookie -----------------------------------------------------------------------------------------

export const SESSION_COOKIE = "tthc_admin";

/**
 * The session cookie: HttpOnly, SameSite=Strict (no cross-site request carries it), Path=/ (the JSON
 * API reads it too), Secure over https, and a Max-Age that ends with the session, never later.
 */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? "; Secure" : ""}`;
}

/** Tells the browser to forget the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", 0, secure);
}

/** The session id in a Cookie header, or null. */
export function readSessionCookie(header: string | undefined): string | null {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) {
      const value = part.slice(eq + 1).trim();
      return isSessionId(value) ? value : null;
    }
  }
  return null;
}

// --- Failed Basic credentials ----------------------------------------------------------------------

/**
 * Counts failed attempts per key (an address) in a fixed window. Used for `Authorization: Basic` on
 * the JSON API, which would otherwise let a script guess passwords past the login form's limit.
 */
export function createFailureCounter(options: { max: number; windowMs: number; now: () => Date }) {
  const entries = new Map<string, { count: number; resetAt: number }>();
  return {
    /** Milliseconds until `key` may try again; 0 when it may now. */
    blockedFor(key: string): number {
      const t = options.now().getTime();
      const e = entries.get(key);
      if (!e || e.resetAt <= t) return 0;
      return e.count >= options.max ? e.resetAt - t : 0;
    },
    fail(key: string): void {
      const t = options.now().getTime();
      if (entries.size > 10_000) for (const [k, e] of entries) if (e.resetAt <= t) entries.delete(k);
      const e = entries.get(key);
      if (!e || e.resetAt <= t) entries.set(key, { count: 1, resetAt: t + options.windowMs });
      else e.count++;
    },
  };
}
