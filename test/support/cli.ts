import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, "../..");

/** Runs `src/cli/<script>` as `npm run` would, with only PATH and `env` set; returns its stdout. */
export async function cli(script: string, args: string[], env: Record<string, string>): Promise<string> {
  const r = await run(process.execPath, ["--import", "tsx", `src/cli/${script}`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "error", ...env },
    maxBuffer: 10_000_000,
  });
  return r.stdout;
}
