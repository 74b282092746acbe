-- A narrow vector for finding candidates: names (A) and curated keywords (B) only. Matching and
-- ranking hundreds of rows is the costliest step of a question; the wider search_folded (with field,
-- result and summary) made it ~7 ms slower on PGlite without finding better candidates. Context words
-- still count, in reranking.
alter table procedures add column search_names tsvector generated always as (
  setweight(to_tsvector('simple', public.vn_fold(coalesce(portal ->> 'name', curated ->> 'name'))), 'A') ||
  setweight(to_tsvector('simple', public.vn_fold(public.jsonb_strings(curated -> 'keywords'))), 'B')
) stored;
create index procedures_search_names on procedures using gin (search_names);

-- search_folded now only feeds the typo vocabulary (a full ts_stat scan): its index is write cost only.
drop index if exists procedures_search_folded;
