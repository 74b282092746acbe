import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { CuratedProcedure, Guide } from "../../core/procedure.ts";
import type { CatalogueWriter } from "../../core/ports.ts";

/** One problem in one knowledge file, with the path relative to the knowledge directory. */
export interface KnowledgeProblem {
  file: string;
  message: string;
}

export interface Knowledge {
  procedures: CuratedProcedure[];
  guides: Guide[];
  problems: KnowledgeProblem[];
}

/**
 * Reads and validates the default catalogue (`<dir>/procedures/<topic>/<code>.json`) and the guides
 * (`<dir>/guides/<id>.md`). Never throws for a bad file: every problem is returned, so `kb:check` can
 * list them all and start-up can refuse to load a broken catalogue with a precise message.
 */
export async function readKnowledge(dir: string): Promise<Knowledge> {
  const problems: KnowledgeProblem[] = [];
  const procedures: CuratedProcedure[] = [];
  const guides: Guide[] = [];
  const seen = new Map<string, string>();

  const procDir = path.join(dir, "procedures");
  for (const file of await listFiles(procDir, problems, dir)) {
    const rel = path.relative(dir, file);
    if (!file.endsWith(".json")) {
      problems.push({ file: rel, message: "unexpected file (procedures are <topic>/<code>.json)" });
      continue;
    }
    const parsed = await readJson(file);
    if (!parsed.ok) {
      problems.push({ file: rel, message: parsed.error });
      continue;
    }
    const result = CuratedProcedure.safeParse(parsed.value);
    if (!result.success) {
      for (const issue of result.error.issues) {
        problems.push({ file: rel, message: `${issue.path.join(".") || "(file)"}: ${issue.message}` });
      }
      continue;
    }
    const p = result.data;
    const [topicDir, base] = [path.basename(path.dirname(file)), path.basename(file, ".json")];
    if (base !== p.code) problems.push({ file: rel, message: `file name must be the code: ${p.code}.json` });
    if (topicDir !== p.topic) problems.push({ file: rel, message: `topic "${p.topic}" does not match its folder "${topicDir}"` });
    const twin = seen.get(p.code);
    if (twin) problems.push({ file: rel, message: `code ${p.code} is also defined in ${twin}` });
    seen.set(p.code, rel);
    procedures.push(p);
  }

  const guideDir = path.join(dir, "guides");
  for (const file of await listFiles(guideDir, problems, dir)) {
    const rel = path.relative(dir, file);
    if (!file.endsWith(".md")) {
      problems.push({ file: rel, message: "unexpected file (guides are <id>.md)" });
      continue;
    }
    const text = await readFile(file, "utf8");
    const parsed = parseGuide(text);
    if (!parsed.ok) {
      problems.push({ file: rel, message: parsed.error });
      continue;
    }
    const result = Guide.safeParse(parsed.value);
    if (!result.success) {
      for (const issue of result.error.issues) problems.push({ file: rel, message: `${issue.path.join(".")}: ${issue.message}` });
      continue;
    }
    if (result.data.id !== path.basename(file, ".md")) problems.push({ file: rel, message: `id must equal the file name` });
    guides.push(result.data);
  }
  return { procedures, guides, problems };
}

/** The header block: `---`, then `key: value` lines, then `---`, then the Markdown body. */
export function parseGuide(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(text);
  if (!m) return { ok: false, error: "missing the header block (--- id/title/keywords ---)" };
  const header: Record<string, string> = {};
  for (const line of m[1]!.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const kv = /^([a-z]+):\s*(.*)$/.exec(line);
    if (!kv) return { ok: false, error: `header line is not "key: value": ${line.slice(0, 60)}` };
    header[kv[1]!] = kv[2]!.trim();
  }
  for (const key of ["id", "title", "keywords"]) {
    if (!header[key]) return { ok: false, error: `header has no ${key}` };
  }
  return {
    ok: true,
    value: {
      id: header.id,
      title: header.title,
      keywords: header.keywords!.split(",").map((k) => k.trim()).filter(Boolean),
      body: m[2]!.trim(),
    },
  };
}

export async function readJson(file: string): Promise<{ ok: true; value: unknown } | { ok: false; error: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return { ok: false, error: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  try {
    return { ok: true, value: JSON.parse(text.replace(/^\uFEFF/, "")) };
  } catch (error) {
    return { ok: false, error: `broken JSON: ${(error as Error).message}` };
  }
}

/** Every file under `dir`, sorted; a missing directory is a problem, not a crash. */
export async function listFiles(dir: string, problems?: KnowledgeProblem[], base = dir): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    problems?.push({ file: path.relative(base, dir) || ".", message: "directory not found" });
    return [];
  }
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith("."))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

export class KnowledgeError extends Error {
  constructor(readonly problems: KnowledgeProblem[]) {
    super(
      `The catalogue in knowledge/ has ${problems.length} problem(s); run npm run kb:check for the list. First: ${problems[0]?.file}: ${problems[0]?.message}`,
    );
    this.name = "KnowledgeError";
  }
}

/**
 * Loads the default catalogue into the store, making the curated source equal to the files.
 * Refuses (KnowledgeError) when any file is invalid, so a broken edit never half-loads.
 */
export async function syncKnowledge(dir: string, writer: CatalogueWriter) {
  const started = new Date();
  const knowledge = await readKnowledge(dir);
  if (knowledge.problems.length > 0) throw new KnowledgeError(knowledge.problems);
  const procedures = await writer.syncCurated(knowledge.procedures);
  const guides = await writer.syncGuides(knowledge.guides);
  const changed = procedures.imported + procedures.updated + procedures.removed + guides.imported + guides.updated + guides.removed;
  if (changed > 0) {
    await writer.recordImport({ source: "curated", location: path.resolve(dir), startedAt: started, summary: { procedures, guides } });
  }
  return { procedures, guides };
}
