import type pg from "pg";
import type { AdminAlerts } from "../../core/ports.ts";

/** `admin_alerts`: one row per open problem; raising an open alert again changes nothing. */
export function createAdminAlerts(pool: pg.Pool): AdminAlerts {
  return {
    async raise(key, message) {
      const r = await pool.query("insert into admin_alerts (key, message) values ($1, $2) on conflict (key) do nothing", [key, message]);
      return r.rowCount === 1;
    },
    async clear(key) {
      await pool.query("delete from admin_alerts where key = $1", [key]);
    },
    async list() {
      const { rows } = await pool.query<{ key: string; message: string; raised_at: Date }>("select key, message, raised_at from admin_alerts order by raised_at");
      return rows.map((r) => ({ key: r.key, message: r.message, raisedAt: r.raised_at }));
    },
  };
}
