import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * `npm run bench:startup`: starts the assistant as `npm start` does, on a fresh embedded database, and
 * measures time to a healthy /health (first start: initdb, migrations, catalogue load; second start:
 * reopen), and the resident memory once healthy. Last line: one JSON object.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = (s.address() as { port: number }).port;
    s.close(() => resolve(p));
  });
});
const dir = await mkdtemp(path.join(tmpdir(), "tthc-bench-"));

async function once(): Promise<{ ms: number; rssMb: number; procedures: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", DATA_DIR: path.join(dir, "data"), PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const exited = new Promise((r) => child.on("exit", r));
  try {
    for (;;) {
      if (performance.now() - t0 > 120_000) throw new Error("not healthy within 120 s");
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.ok) {
          const ms = performance.now() - t0;
          const body = (await res.json()) as { catalogue: { procedures: number } };
          await new Promise((r) => setTimeout(r, 500));
          const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
          const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
          return { ms: Math.round(ms), rssMb: Math.round(rssKb / 1024), procedures: body.catalogue.procedures };
        }
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

try {
  const first = await once();
  const second = await once();
  console.log(`first start (new database): ${first.ms} ms to healthy, RSS ${first.rssMb} MB, ${first.procedures} procedures`);
  console.log(`later start (reopen):       ${second.ms} ms to healthy, RSS ${second.rssMb} MB`);
  console.log(JSON.stringify({ first_start_ms: first.ms, later_start_ms: second.ms, rss_mb: second.rssMb, procedures: first.procedures }));
} finally {
  await rm(dir, { recursive: true, force: true });
}
