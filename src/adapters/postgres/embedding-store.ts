import type pg from "pg";

/** A procedure whose vector is missing or stale: the text to embed and its hash, both from SQL. */
export interface PendingEmbedding {
  code: string;
  text: string;
  hash: string;
}

export interface EmbeddingRow {
  code: string;
  /** The `hash` that `pending` gave with the text that was embedded. */
  hash: string;
  embedding: number[];
}

export interface EmbeddingStore {
  /** Procedures with no vector from this model, or whose text changed since it was embedded. */
  pending(model: string, limit: number): Promise<PendingEmbedding[]>;
  /** Upserts vectors (one per procedure); rows for procedures deleted meanwhile are skipped. */
  save(model: string, rows: EmbeddingRow[]): Promise<void>;
  /** How many procedures have a vector from this model. */
  count(model: string): Promise<number>;
}

const BATCH = 250;

/**
 * What is embedded for a procedure: name, the curated summary and keywords, and the field — the
 * citizen-facing words, not the long official text. Defined once, in SQL, so the text and its md5 can
 * never disagree; a change to any part changes the hash and makes the procedure pending again.
 */
const EMBEDDED_TEXT = `concat_ws(' ',
  p.name || '.',
  nullif(p.curated ->> 'summary', ''),
  nullif(public.jsonb_strings(p.curated -> 'keywords'), ''),
  nullif(coalesce(p.portal ->> 'field', p.curated ->> 'field'), ''))`;

/**
 * Procedure vectors in `procedure_embeddings`. That table exists only where the vector extension is
 * (always on PGlite; on a server once pgvector is installed): check `hasVectorSearch` before use.
 */
export function createEmbeddingStore(pool: pg.Pool): EmbeddingStore {
  return {
    async pending(model, limit) {
      const r = await pool.query<PendingEmbedding>(
        `select s.code, s.text, s.hash
         from (select p.code, t.text, md5(t.text) as hash
               from procedures p cross join lateral (select ${EMBEDDED_TEXT} as text) t) s
         left join procedure_embeddings e on e.code = s.code
         where e.code is null or e.model <> $1 or e.content_hash <> s.hash
         order by s.code
         limit $2`,
        [model, limit],
      );
      return r.rows;
    },

    async save(model, rows) {
      // One row per code (the last wins): an upsert cannot touch the same row twice.
      const unique = [...new Map(rows.map((r) => [r.code, r])).values()];
      for (let i = 0; i < unique.length; i += BATCH) {
        const batch = unique.slice(i, i + BATCH);
        for (const row of batch) {
          if (row.embedding.length === 0 || !row.embedding.every(Number.isFinite)) {
            throw new Error(`embedding for ${row.code} is empty or not finite`);
          }
        }
        await pool.query(
          `insert into procedure_embeddings (code, model, content_hash, embedding, updated_at)
           select u.code, $1, u.hash, u.embedding::vector, now()
           from unnest($2::text[], $3::text[], $4::text[]) as u(code, hash, embedding)
           join procedures p on p.code = u.code
           on conflict (code) do update
             set model = excluded.model, content_hash = excluded.content_hash,
                 embedding = excluded.embedding, updated_at = excluded.updated_at`,
          [model, batch.map((r) => r.code), batch.map((r) => r.hash), batch.map((r) => `[${r.embedding.join(",")}]`)],
        );
      }
    },

    async count(model) {
      const r = await pool.query<{ n: number }>("select count(*)::int as n from procedure_embeddings where model = $1", [model]);
      return r.rows[0]!.n;
    },
  };
}
