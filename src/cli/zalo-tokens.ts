import { parseArgs } from "node:util";
import { createAdminAlerts } from "../adapters/postgres/admin-alerts.ts";
import { createTokenStore } from "../adapters/postgres/channel-tokens.ts";
import { createZaloClient } from "../channels/zalo/client.ts";
import { createZaloTokens, saveGrant, ZALO } from "../channels/zalo/tokens.ts";
import { runCli } from "./context.ts";

/**
 * `npm run zalo:tokens -- --refresh-token <token> [--access-token <token>] [--refresh-now]`
 * Saves the OA's tokens (after authorising the app, or when the grant died), clears the dead-grant alert,
 * and with --refresh-now spends the refresh token at once to prove the grant works.
 * `npm run zalo:tokens -- --status` prints when the stored access token expires (never the tokens).
 */
await runCli(async ({ config, db, log }) => {
  const { values } = parseArgs({
    options: {
      "refresh-token": { type: "string" },
      "access-token": { type: "string" },
      "refresh-now": { type: "boolean", default: false },
      status: { type: "boolean", default: false },
    },
  });
  const store = createTokenStore(db.pool, { processLocal: db.kind === "embedded" });
  const alerts = createAdminAlerts(db.pool);
  if (values["refresh-token"]) {
    const refresh = values["refresh-token"].trim();
    const access = values["access-token"]?.trim();
    if (!/^\S{8,2000}$/.test(refresh) || (access !== undefined && !/^\S{8,2000}$/.test(access))) {
      throw new Error("the tokens look wrong: paste them exactly as Zalo showed them (no spaces)");
    }
    await saveGrant(store, alerts, { accessToken: access ?? null, refreshToken: refresh });
    console.log("Zalo tokens saved; the dead-grant alert (if any) is cleared.");
  }
  if (values["refresh-now"]) {
    if (!config.zalo) throw new Error("ZALO_APP_ID and ZALO_APP_SECRET must be set to refresh");
    const client = createZaloClient({ endpoints: config.zalo.endpoints, appId: config.zalo.appId, appSecret: config.zalo.appSecret });
    const tokens = createZaloTokens({ store, alerts, refresh: (r) => client.refresh(r), log, refreshAheadMs: Number.MAX_SAFE_INTEGER });
    const state = await tokens.refreshIfDue();
    console.log(state === "refreshed" ? "Refreshed: the grant works." : `Not refreshed: ${state}.`);
    if (state !== "refreshed") process.exitCode = 1;
  }
  if (values.status || (!values["refresh-token"] && !values["refresh-now"])) {
    const pair = await store.read(ZALO);
    if (!pair) console.log("No Zalo tokens stored. Save them with --refresh-token (see README, Zalo).");
    else if (pair.dead) console.log(`The grant is dead (${pair.dead}). Authorise the app again and save the new tokens.`);
    else console.log(`Access token expires ${pair.expiresAt.toISOString()}; it is refreshed automatically an hour before.`);
  }
});
