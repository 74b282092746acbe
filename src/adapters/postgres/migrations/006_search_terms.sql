-- Word pairs as single lexemes ('khai sinh'), next to the words, in the narrow candidate vector.
-- Before, a pair was a phrase query ('khai' <-> 'sinh'): the index cannot check adjacency, so every
-- row holding both words was fetched and re-checked, and the planner preferred a sequential scan of
-- the whole catalogue (≈ 4.4 ms on the server, 8 ms on PGlite per question). As lexemes, the index
-- answers exactly (≈ 0.7 ms). Names weigh A, curated keywords B, as before.
create or replace function public.vn_pairs(t text) returns tsvector
language sql immutable strict parallel safe as $$
  select coalesce(string_agg('''' || w[i] || ' ' || w[i + 1] || ''':' || i, ' '), '')::tsvector
  from (select regexp_split_to_array(btrim(regexp_replace(t, '[^a-z0-9]+', ' ', 'g')), ' ') as w) s,
       generate_series(1, coalesce(array_length(w, 1), 0) - 1) i
$$;

alter table procedures add column search_terms tsvector generated always as (
  setweight(to_tsvector('simple', public.vn_fold(coalesce(portal ->> 'name', curated ->> 'name'))), 'A') ||
  setweight(public.vn_pairs(public.vn_fold(coalesce(portal ->> 'name', curated ->> 'name'))), 'A') ||
  setweight(to_tsvector('simple', public.vn_fold(public.jsonb_strings(curated -> 'keywords'))), 'B') ||
  setweight(public.vn_pairs(public.vn_fold(public.jsonb_strings(curated -> 'keywords'))), 'B')
) stored;
create index procedures_search_terms on procedures using gin (search_terms) with (fastupdate = off);

alter table procedures drop column search_names;

-- The catalogue is written in rare, small bursts (an import) and read on every question. With GIN's
-- default fastupdate, freshly imported rows wait in an unsorted pending list that every search scans
-- linearly until a vacuum merges it — and embedded PGlite never runs autovacuum. Measured on the
-- server right after a full import: all 2,642 rows pending, the name index scan 5.8 ms instead of 0.6 ms.
-- Write directly into the index instead, and merge what is already pending.
alter index procedures_search_accented set (fastupdate = off);
alter index procedures_name_folded_trgm set (fastupdate = off);
select gin_clean_pending_list('procedures_search_accented'::regclass);
select gin_clean_pending_list('procedures_name_folded_trgm'::regclass);
analyze procedures;
