import { readKnowledge } from "../adapters/catalogue/knowledge-files.ts";

// `npm run kb:check [dir]`: validates every file of the default catalogue; exits 1 on any problem.
const dir = process.argv[2] ?? process.env.KNOWLEDGE_DIR ?? "./knowledge";
const k = await readKnowledge(dir);
for (const p of k.problems) console.error(`${p.file}: ${p.message}`);
const topics = new Map<string, number>();
for (const p of k.procedures) topics.set(p.topic, (topics.get(p.topic) ?? 0) + 1);
console.log(
  `${dir}: ${k.procedures.length} procedures (${[...topics].map(([t, n]) => `${t} ${n}`).join(", ")}), ${k.guides.length} guides`,
);
if (k.problems.length > 0) {
  console.error(`kb:check failed: ${k.problems.length} problem(s).`);
  process.exit(1);
}
console.log("kb:check passed.");
