import type pg from "pg";
import type { CatalogueReader, CatalogueWriter, ProcedureListItem, UpsertCounts } from "../../core/ports.ts";
import type { CuratedProcedure, Guide, PortalProcedure } from "../../core/procedure.ts";

const BATCH = 250;

/**
 * The catalogue in Postgres. Each procedure row keeps what each source said (`curated`, `portal`);
 * the record citizens see is a generated column, so neither source can overwrite the other's part.
 * Change detection is jsonb equality: a second import of the same files changes nothing.
 */
export function createCatalogueRepository(pool: pg.Pool): CatalogueWriter & CatalogueReader {
  async function upsertSource(
    column: "curated" | "portal",
    items: { code: string }[],
    db: Pick<pg.Pool, "query"> = pool,
  ): Promise<UpsertCounts> {
    const counts: UpsertCounts = { imported: 0, updated: 0, unchanged: 0 };
    for (let i = 0; i < items.length; i += BATCH) {
      const batch = items.slice(i, i + BATCH);
      // The CTE `prev` reads the rows as they were before this statement's upsert.
      const r = await db.query<{ imported: number; updated: number }>(
        `with input as (
           select e ->> 'code' as code, e as doc from jsonb_array_elements($1::jsonb) e
         ), prev as (
           select p.code from procedures p join input using (code) where p.${column} is not null
         ), up as (
           insert into procedures (code, ${column}) select code, doc from input
           on conflict (code) do update set ${column} = excluded.${column}, updated_at = now()
           where procedures.${column} is distinct from excluded.${column}
           returning code
         )
         select count(*) filter (where code not in (select code from prev))::int as imported,
                count(*) filter (where code in (select code from prev))::int as updated
         from up`,
        [JSON.stringify(batch)],
      );
      const row = r.rows[0]!;
      counts.imported += row.imported;
      counts.updated += row.updated;
      counts.unchanged += batch.length - row.imported - row.updated;
    }
    return counts;
  }

  return {
    upsertPortal: (items: PortalProcedure[]) => upsertSource("portal", items),

    async syncCurated(items: CuratedProcedure[]) {
      // One transaction: a reader never sees the catalogue half-withdrawn.
      const client = await pool.connect();
      try {
        await client.query("begin");
        const counts = await upsertSource("curated", items, client);
        const codes = items.map((p) => p.code);
        const deleted = await client.query(
          "delete from procedures where curated is not null and portal is null and not (code = any($1::text[]))",
          [codes],
        );
        const withdrawn = await client.query(
          `update procedures set curated = null, updated_at = now()
           where curated is not null and not (code = any($1::text[]))`,
          [codes],
        );
        await client.query("commit");
        return { ...counts, removed: (deleted.rowCount ?? 0) + (withdrawn.rowCount ?? 0) };
      } catch (error) {
        await client.query("rollback");
        throw error;
      } finally {
        client.release();
      }
    },

    async syncGuides(guides: Guide[]) {
      const prev = new Map(
        (await pool.query<Guide>("select id, title, keywords, body from guides")).rows.map((g) => [g.id, g]),
      );
      const counts = { imported: 0, updated: 0, unchanged: 0, removed: 0 };
      for (const g of guides) {
        const old = prev.get(g.id);
        if (old && JSON.stringify(old) === JSON.stringify({ id: g.id, title: g.title, keywords: g.keywords, body: g.body })) {
          counts.unchanged++;
          continue;
        }
        await pool.query(
          `insert into guides (id, title, keywords, body) values ($1, $2, $3, $4)
           on conflict (id) do update set title = excluded.title, keywords = excluded.keywords,
             body = excluded.body, updated_at = now()`,
          [g.id, g.title, g.keywords, g.body],
        );
        if (old) counts.updated++;
        else counts.imported++;
      }
      const del = await pool.query("delete from guides where not (id = any($1::text[]))", [guides.map((g) => g.id)]);
      counts.removed = del.rowCount ?? 0;
      return counts;
    },

    async recordImport({ source, location, startedAt, summary }) {
      await pool.query(
        "insert into catalogue_imports (source, location, started_at, summary) values ($1, $2, $3, $4)",
        [source, location, startedAt, JSON.stringify(summary)],
      );
      // Fresh planner statistics after every import: the embedded database has no autovacuum, and a
      // plan made for an empty table (a sequential scan where the index is cheaper) would stay.
      await pool.query("analyze procedures");
    },

    async size() {
      const r = await pool.query<{ procedures: number; curated: number; portal: number; guides: number }>(
        `select count(*)::int as procedures,
                count(curated)::int as curated,
                count(portal)::int as portal,
                (select count(*)::int from guides) as guides
         from procedures`,
      );
      return r.rows[0]!;
    },

    async searchByName(query: string, limit: number) {
      const r = await pool.query(
        `${LIST_SELECT}
         where (select coalesce(bool_and(name_folded like '%' || w || '%'), false)
                from unnest(regexp_split_to_array(public.vn_fold($1), '\\s+')) w where w <> '')
         order by similarity(name_folded, public.vn_fold($1)) desc, length(name), code
         limit $2`,
        [query, limit],
      );
      return r.rows.map(toItem);
    },

    async list(limit: number, offset: number) {
      const r = await pool.query(`${LIST_SELECT} order by record ->> 'topic' nulls last, name, code limit $1 offset $2`, [
        limit,
        offset,
      ]);
      return r.rows.map(toItem);
    },
  };
}

const LIST_SELECT = `select code, name, record -> 'level' as level, record ->> 'field' as field,
  record ->> 'topic' as topic, record ->> 'sourceUrl' as source_url from procedures`;

function toItem(row: Record<string, unknown>): ProcedureListItem {
  return {
    code: row.code as string,
    name: row.name as string,
    level: (row.level as string[] | null) ?? [],
    field: (row.field as string | null) ?? null,
    topic: (row.topic as string | null) ?? null,
    sourceUrl: (row.source_url as string | null) ?? null,
  };
}
