import { createHash, randomBytes } from "node:crypto";
import type pg from "pg";

/** The admin pages' session store (the shape `registerAdmin` expects), over `admin_sessions`. */
export interface PostgresAdminSessions {
  create(user: string, expiresAt: Date): Promise<string>;
  get(id: string): Promise<{ user: string; expiresAt: Date } | null>;
  delete(id: string): Promise<void>;
}

const hash = (id: string) => createHash("sha256").update(id).digest("hex");

/** Sessions shared by every process; ids are 32 random bytes (base64url), stored only as SHA-256. */
export function createAdminSessions(pool: pg.Pool): PostgresAdminSessions {
  return {
    async create(user, expiresAt) {
      await pool.query("delete from admin_sessions where expires_at < now()");
      const id = randomBytes(32).toString("base64url");
      await pool.query("insert into admin_sessions (id_hash, username, expires_at) values ($1, $2, $3)", [hash(id), user, expiresAt]);
      return id;
    },
    async get(id) {
      const r = (await pool.query<{ username: string; expires_at: Date }>("select username, expires_at from admin_sessions where id_hash = $1", [hash(id)])).rows[0];
      return r ? { user: r.username, expiresAt: r.expires_at } : null;
    },
    async delete(id) {
      await pool.query("delete from admin_sessions where id_hash = $1", [hash(id)]);
    },
  };
}
