import { createDossierRepository } from "../adapters/postgres/dossier-repository.ts";
import { runCli } from "./context.ts";
import { DEMO_TRY, demoDossiers, demoEvents } from "./demo-dossiers.ts";

/**
 * `npm run seed:demo`: ingests the 40 demo dossiers into the configured database (event ids are fixed,
 * so running it again changes nothing) and prints the codes to try with their verification digits.
 * Procedures come from the loaded catalogue when there is one.
 */
await runCli(async ({ db }) => {
  const procs = await db.pool.query<{ code: string; name: string }>(
    "select code, name from procedures where name is not null order by code limit 60",
  );
  const events = demoEvents(procs.rows, new Date());
  const result = await createDossierRepository(db.pool).ingest(events);
  const count = (o: string) => result.results.filter((r) => r.outcome === o).length;
  console.log(
    `Demo dossiers: ${demoDossiers().length} (${events.length} events: ${count("applied")} applied, ${count("duplicate")} already there, ${count("stale")} stale).`,
  );
  console.log("\nTry these in the chat (code, then the last 4 digits of the phone number):");
  for (const t of DEMO_TRY) console.log(`  ${t.code}  ${t.digits}  — ${t.shows}`);
  console.log("\nAll demo dossiers (code, digits, status):");
  for (const p of demoDossiers()) console.log(`  ${p.code}  ${p.digits}  ${p.status}${p.late ? " late" : ""}${p.reschedule ? " rescheduled" : ""}`);
});
