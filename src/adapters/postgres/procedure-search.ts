import type pg from "pg";
import type { ProcedureSearch, SearchCandidate, SearchRequest, TermStats } from "../../core/ports.ts";

const FOLDED_WORD = /^[a-z0-9]+$/;
const ACCENTED_WORD = /^[\p{L}\p{N}]+$/u;

/**
 * tsquery input from words the core produced; anything else is dropped, so input cannot inject syntax.
 * A word pair is one quoted lexeme ('khai sinh'), as the folded vector stores it (migration 006).
 */
function orQuery(words: string[], pairs: string[], wordRe: RegExp): string {
  const parts: string[] = [];
  for (const b of pairs) {
    const [x, y, extra] = b.split(" ");
    if (x && y && extra === undefined && wordRe.test(x) && wordRe.test(y)) parts.push(`'${x} ${y}'`);
  }
  for (const w of words) if (wordRe.test(w)) parts.push(`'${w}'`);
  return parts.join(" | ");
}

/**
 * Hybrid retrieval in SQL: full-text on folded names (A) and keywords (B), words and word pairs as lexemes,
 * full-text on accented text, trigram similarity on names, and (when given an embedding and the vector
 * extension) cosine distance — each ranked, then fused by weighted reciprocal rank.
 */
/** Full records kept in memory (by code, unknown codes included), and for how long. */
const RECORD_CACHE_SIZE = 1000;
const RECORD_TTL_MS = 60_000;

export function createProcedureSearch(pool: pg.Pool, options: { vector: boolean; model?: string }): ProcedureSearch {
  let stats: { at: number; version: string; value: TermStats } | undefined;
  const records = new Map<string, { record: Record<string, unknown> | null; until: number }>();

  return {
    async candidates(req: SearchRequest): Promise<SearchCandidate[]> {
      const folded = orQuery(req.foldedTerms, req.foldedBigrams, FOLDED_WORD);
      const accented = orQuery(req.accentedTerms, [], ACCENTED_WORD);
      const useVector = options.vector && req.embedding !== undefined && req.embedding.length > 0;
      const w = req.fusion.weights;
      const params: unknown[] = [folded || null, accented || null, req.trigramText, req.limit, req.fusion.k, w.folded, w.accented, w.trigram];
      if (useVector) params.push(w.vector, `[${req.embedding!.join(",")}]`, options.model ?? "");
      // A named statement is planned once per connection: planning cost more than execution here.
      const r = await pool.query({
        name: useVector ? "procedure-search-vector" : "procedure-search",
        text: `with q as (
           select $1::tsquery as fq, $2::tsquery as aq, $3::text as qt
         ), folded as (
           select p.code, row_number() over (order by ts_rank(p.search_terms, q.fq, 1) desc, p.code) as r
           from procedures p, q where q.fq is not null and p.search_terms @@ $1::tsquery
           order by r limit $4
         ), accented as (
           select p.code, row_number() over (order by ts_rank(p.search_accented, q.aq, 1) desc, p.code) as r
           from procedures p, q where q.aq is not null and p.search_accented @@ $2::tsquery
           order by r limit $4
         ), trigram as (
           select t.code, row_number() over (order by t.d, t.code) as r
           from (select p.code, p.name_folded <-> $3::text as d from procedures p
                 where $3::text <> '' order by p.name_folded <-> $3::text limit $4) t
           where t.d < 0.9
         )${
           useVector
             ? `, vec as (
           select e.code, row_number() over (order by e.embedding <=> $10::vector, e.code) as r
           from procedure_embeddings e where e.model = $11 order by r limit $4
         )`
             : ""
         }, fused as (
           select code,
                  sum(weight / ($5 + r)) as score,
                  jsonb_object_agg(retriever, r) as ranks
           from (
             select code, r, $6::float8 as weight, 'folded' as retriever from folded
             union all select code, r, $7::float8, 'accented' from accented
             union all select code, r, $8::float8, 'trigram' from trigram
             ${useVector ? "union all select code, r, $9::float8, 'vector' from vec" : ""}
           ) hits group by code
         )
         select p.code, p.name, f.score, f.ranks, p.search_keywords as keywords, p.search_context as context,
                p.search_levels as level
         from fused f join procedures p using (code)
         order by f.score desc, p.code
         limit $4`,
        values: params,
      });
      return r.rows.map((row) => ({
        code: row.code,
        name: row.name,
        keywords: row.keywords ? [row.keywords as string] : [],
        context: row.context as string,
        level: row.level ? (row.level as string).split(" ") : [],
        ranks: row.ranks,
        fused: Number(row.score),
      }));
    },

    async termStats(): Promise<TermStats> {
      // Cached; recomputed when the catalogue changes (cheap check on every call after a minute).
      if (stats && Date.now() - stats.at < 60_000) return stats.value;
      const version = (await pool.query("select count(*) || ':' || coalesce(max(updated_at)::text, '') as v from procedures")).rows[0].v as string;
      if (stats && stats.version === version) {
        stats.at = Date.now();
        return stats.value;
      }
      const [names, vocab, accented] = await Promise.all([
        pool.query<{ name_folded: string }>("select name_folded from procedures"),
        pool.query("select word, ndoc from ts_stat('select search_folded from procedures')"),
        pool.query<{ word: string; ndoc: number }>("select word, ndoc from ts_stat('select search_accented from procedures')"),
      ]);
      const nameDf = new Map<string, number>();
      const nameBigramDf = new Map<string, number>();
      for (const { name_folded } of names.rows) {
        const words = name_folded.split(/[^a-z0-9]+/).filter(Boolean);
        for (const w of new Set(words)) nameDf.set(w, (nameDf.get(w) ?? 0) + 1);
        const bigrams = new Set(words.slice(1).map((w, i) => `${words[i]} ${w}`));
        for (const b of bigrams) nameBigramDf.set(b, (nameBigramDf.get(b) ?? 0) + 1);
      }
      const value: TermStats = {
        documents: names.rows.length,
        nameDf,
        nameBigramDf,
        vocabulary: new Map(vocab.rows.map((r) => [r.word as string, Number(r.ndoc)])),
        accentedVocabulary: new Map(accented.rows.map((r) => [r.word, Number(r.ndoc)])),
      };
      stats = { at: Date.now(), version, value };
      return value;
    },

    async get(code: string) {
      // Answers read the same popular records over and over; a catalogue change shows within RECORD_TTL_MS.
      const cached = records.get(code);
      if (cached && cached.until > Date.now()) return cached.record;
      const r = await pool.query({ name: "procedure-record", text: "select record from procedures where code = $1", values: [code] });
      const record = (r.rows[0]?.record as Record<string, unknown> | undefined) ?? null;
      if (records.size >= RECORD_CACHE_SIZE) records.delete(records.keys().next().value!);
      records.set(code, { record, until: Date.now() + RECORD_TTL_MS });
      return record;
    },
  };
}
