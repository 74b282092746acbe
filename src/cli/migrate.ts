import { runCli } from "./context.ts";

// `npm run db:migrate`: opening the database applies pending migrations (under a lock); this reports them.
await runCli(async ({ db, migration }) => {
  console.log(`Database: ${db.kind} (${db.location})`);
  console.log(`Migrations applied now: ${migration.applied.length ? migration.applied.join(", ") : "none"}`);
  console.log(`Already applied before: ${migration.alreadyApplied.length}`);
  for (const s of migration.skipped) console.log(`Skipped ${s.name}: ${s.reason}`);
});
