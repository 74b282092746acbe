import type pg from "pg";
import type { StoredTokenPair, TokenStore } from "../../core/ports.ts";

/** Advisory-lock namespace for token refreshes (the second key is a hash of the channel name). */
const TOKEN_LOCK_NAMESPACE = 7_401_120;

interface Row {
  access_token: string;
  refresh_token: string;
  expires_at: Date;
  dead_reason: string | null;
}

const toPair = (r: Row | undefined): StoredTokenPair | null =>
  r ? { accessToken: r.access_token, refreshToken: r.refresh_token, expiresAt: r.expires_at, dead: r.dead_reason } : null;

/**
 * `channel_tokens` as the token store. The lock:
 * - on a PostgreSQL server, a session advisory lock on a connection held for the refresh, so processes
 *   (replicas, a CLI) refresh one at a time; a crashed holder's session ends and the lock with it;
 * - on embedded PGlite (one process by construction, one connection shared by everything), a promise
 *   chain in this process: holding PGlite's only connection through an HTTP call would stall every query.
 */
/** One lock chain per embedded database, shared by every store made on it in this process. */
const localChains = new WeakMap<pg.Pool, Promise<unknown>>();

export function createTokenStore(pool: pg.Pool, options: { processLocal: boolean }): TokenStore {
  const read = async (q: Pick<pg.Pool, "query">, channel: string) =>
    toPair(
      (await q.query<Row>("select access_token, refresh_token, expires_at, dead_reason from channel_tokens where channel = $1", [channel]))
        .rows[0],
    );

  return {
    read: (channel) => read(pool, channel),

    async withLock(channel, fn) {
      if (options.processLocal) {
        const run = (localChains.get(pool) ?? Promise.resolve()).then(async () => fn(await read(pool, channel)));
        localChains.set(pool, run.catch(() => undefined));
        return run;
      }
      const client = await pool.connect();
      try {
        await client.query("select pg_advisory_lock($1, hashtext($2))", [TOKEN_LOCK_NAMESPACE, channel]);
        try {
          return await fn(await read(client, channel));
        } finally {
          await client.query("select pg_advisory_unlock($1, hashtext($2))", [TOKEN_LOCK_NAMESPACE, channel]);
        }
      } finally {
        client.release();
      }
    },

    async save(channel, pair) {
      await pool.query(
        `insert into channel_tokens (channel, access_token, refresh_token, expires_at) values ($1, $2, $3, $4)
         on conflict (channel) do update set access_token = excluded.access_token, refresh_token = excluded.refresh_token,
           expires_at = excluded.expires_at, updated_at = now(), dead_at = null, dead_reason = null`,
        [channel, pair.accessToken, pair.refreshToken, pair.expiresAt],
      );
    },

    async markDead(channel, reason) {
      await pool.query("update channel_tokens set dead_at = now(), dead_reason = $2 where channel = $1", [channel, reason]);
    },
  };
}
