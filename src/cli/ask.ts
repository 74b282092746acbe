import { syncKnowledge } from "../adapters/catalogue/knowledge-files.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import { runCli } from "./context.ts";
import { assistantSettings, buildAssistant } from "./assistant-factory.ts";

// `npm run ask -- "câu hỏi"`: the reply, what the turn decided, and the ranked candidates with scores.
await runCli(async ({ config, log, db }, args) => {
  const question = args.filter((a) => !a.startsWith("--")).join(" ").trim();
  if (!question) {
    console.error('Usage: npm run ask -- "câu hỏi"');
    return 2;
  }
  if (config.catalogueAutoload) await syncKnowledge(config.knowledgeDir, createCatalogueRepository(db.pool));
  const { assistant } = await buildAssistant({ db, log, ...assistantSettings(config) });
  const t0 = performance.now();
  const r = await assistant.handleDetailed({ channel: "cli", chatId: `ask-${Date.now()}`, text: question, receivedAt: new Date() });
  const ms = performance.now() - t0;
  for (const reply of r.replies) {
    console.log(reply.text);
    for (const c of reply.choices ?? []) console.log(`  [${c.id}] ${c.label}`);
    if (reply.link) console.log(`  ${reply.link.label}: ${reply.link.url}`);
    console.log("");
  }
  console.log(`Decision: ${JSON.stringify(r.outcome)}  (${ms.toFixed(1)} ms)`);
  if (r.ranked?.length) {
    console.log("Rank  score  cover  name-cover  code          name");
    r.ranked.slice(0, 10).forEach((c, i) => {
      console.log(`${String(i + 1).padStart(4)} ${c.score.toFixed(2).padStart(6)} ${c.coverage.toFixed(2).padStart(6)} ${c.nameCoverage.toFixed(2).padStart(11)}  ${c.code.padEnd(12)}  ${c.name.slice(0, 90)}`);
    });
  }
  return 0;
});
