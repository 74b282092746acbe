import type { AdminAlerts, ChannelLogger, StoredTokenPair, TokenStore } from "../../core/ports.ts";
import { ZaloApiError, type AccessTokens, type IssuedTokens } from "./client.ts";

/** The channel name tokens and alerts are stored under. */
export const ZALO = "zalo";
export const DEAD_GRANT_ALERT = "zalo:grant";

export interface ZaloTokensOptions {
  store: TokenStore;
  alerts: AdminAlerts;
  /** Spends a refresh token (the client's `refresh`). */
  refresh(refreshToken: string): Promise<IssuedTokens>;
  log: ChannelLogger;
  /** Refresh this long before the access token expires. Default 1 h (of its 25 h). */
  refreshAheadMs?: number;
  now?: () => number;
}

export interface ZaloTokens extends AccessTokens {
  /** Refreshes when the stored token expires within `refreshAheadMs` (a timer calls this). */
  refreshIfDue(): Promise<"fresh" | "refreshed" | "dead" | "missing">;
}

/**
 * Saves a new grant (tokens a person got by authorising the app) and clears the dead-grant alert.
 * Without an access token, or not knowing its age, the first use refreshes: an access token given
 * counts as 2 hours old at most (its real age is unknown; the refresh comes an hour before expiry).
 */
export async function saveGrant(store: TokenStore, alerts: AdminAlerts, grant: { accessToken: string | null; refreshToken: string }, now = Date.now()): Promise<void> {
  const expiresAt = new Date(grant.accessToken ? now + 2 * 60 * 60_000 : 0);
  await store.save(ZALO, { accessToken: grant.accessToken ?? "none", refreshToken: grant.refreshToken, expiresAt });
  await alerts.clear(DEAD_GRANT_ALERT);
}

/** No usable token: none was ever given, or the grant is dead. Sending is impossible until a person acts. */
export class ZaloAuthError extends Error {
  override name = "ZaloAuthError";
  constructor(
    readonly reason: "missing" | "dead",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The OA's access token, kept fresh:
 *
 * - One pair in the token store, shared by every process. The access token is cached in memory until
 *   `refreshAheadMs` before it expires.
 * - A refresh spends the single-use refresh token, so it happens under the store's lock (one process at a
 *   time) and, within a process, once for all concurrent callers. Under the lock the stored pair is read
 *   again: if another process already refreshed, its pair is used and nothing is spent.
 * - The new pair is saved before it is used: a crash after the refresh cannot lose the grant.
 * - A refused refresh (dead grant) is logged once, raises the admin alert and marks the pair dead; later
 *   calls fail at once without asking Zalo again, until new tokens are saved (`npm run zalo:tokens`).
 */
export function createZaloTokens(options: ZaloTokensOptions): ZaloTokens {
  const { store, alerts, log } = options;
  const now = options.now ?? Date.now;
  const ahead = options.refreshAheadMs ?? 60 * 60_000;
  let cached: StoredTokenPair | null = null;
  let inFlight: Promise<string> | null = null;
  let refreshes = 0;

  const due = (pair: StoredTokenPair) => pair.expiresAt.getTime() - now() <= ahead;

  function unusable(pair: StoredTokenPair | null): ZaloAuthError | null {
    if (!pair) return new ZaloAuthError("missing", "no Zalo tokens stored: set ZALO_REFRESH_TOKEN or run npm run zalo:tokens");
    if (pair.dead) return new ZaloAuthError("dead", `the Zalo grant is dead (${pair.dead}): authorise the app again and run npm run zalo:tokens`);
    return null;
  }

  /** Refreshes under the lock unless the stored pair is already good (and is not the one Zalo rejected). */
  function refreshLocked(rejected: string | null): Promise<string> {
    inFlight ??= store
      .withLock(ZALO, async (current) => {
        const problem = unusable(current);
        if (problem) throw problem;
        const pair = current!;
        if (!due(pair) && pair.accessToken !== rejected) return pair; // another process refreshed
        let issued: IssuedTokens;
        try {
          issued = await options.refresh(pair.refreshToken);
        } catch (error) {
          if (error instanceof ZaloApiError && error.kind === "grant") {
            const reason = `${error.code} ${error.message}`.slice(0, 200);
            await store.markDead(ZALO, reason);
            const fresh = await alerts.raise(
              DEAD_GRANT_ALERT,
              "Zalo OA: quyền truy cập đã hết hiệu lực (refresh token bị từ chối). Cần cấp quyền lại cho ứng dụng và chạy npm run zalo:tokens.",
            );
            if (fresh) log.error({ code: error.code }, "zalo: the refresh token was refused; the grant is dead. Authorise the app again, then run npm run zalo:tokens");
            throw new ZaloAuthError("dead", `the Zalo grant is dead (${reason})`);
          }
          throw error;
        }
        const next = {
          accessToken: issued.accessToken,
          refreshToken: issued.refreshToken,
          expiresAt: new Date(now() + issued.expiresInSeconds * 1000),
        };
        await store.save(ZALO, next); // before use: the old refresh token is already spent
        refreshes++;
        log.info({ expiresAt: next.expiresAt.toISOString() }, "zalo: access token refreshed");
        return { ...next, dead: null };
      })
      .then((pair) => {
        cached = pair;
        return pair.accessToken;
      })
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  async function current(): Promise<string> {
    if (cached && !due(cached)) return cached.accessToken;
    if (inFlight) return inFlight;
    const stored = await store.read(ZALO);
    const problem = unusable(stored);
    if (problem) throw problem;
    if (!due(stored!)) {
      cached = stored;
      return stored!.accessToken;
    }
    return refreshLocked(null);
  }

  return {
    current,
    async refreshAfterRejection(rejected) {
      if (cached?.accessToken === rejected) cached = null;
      return refreshLocked(rejected);
    },
    async refreshIfDue() {
      const before = refreshes;
      try {
        await current();
        return refreshes > before ? "refreshed" : "fresh";
      } catch (error) {
        if (error instanceof ZaloAuthError) return error.reason;
        throw error;
      }
    },
  };
}
