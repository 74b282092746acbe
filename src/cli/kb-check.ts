import { readKnowledge } from "../adapters/catalogue/knowledge-files.ts";
import { readDialogueKnowledge } from "../adapters/catalogue/knowledge-config.ts";

// `npm run kb:check [dir] [prompts-dir]`: validates every file of the default catalogue, the lexicon,
// retrieval weights and dialogue phrases, and the reply templates; exits 1 on any problem.
const dir = process.argv[2] ?? process.env.KNOWLEDGE_DIR ?? "./knowledge";
const promptsDir = process.argv[3] ?? process.env.PROMPTS_DIR ?? "./prompts";
const k = await readKnowledge(dir);
if (process.argv[2] === undefined || process.argv[3] !== undefined) {
  try {
    await readDialogueKnowledge(dir, promptsDir);
  } catch (error) {
    k.problems.push({ file: "(dialogue data)", message: (error as Error).message });
  }
}
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
