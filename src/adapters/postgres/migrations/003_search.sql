-- Search: folded and accented full-text vectors, weighted by field (name above body).
-- The folded vector (vn_fold: no tone marks, đ → d) serves every query; the accented one sharpens
-- queries typed with tone marks. Both are generated from the row's sources, so they never go stale.

-- One tone-mark position for the open rhymes oa, oe, uy ("hòa" → "hoà"), as core/text/vietnamese.ts does.
create or replace function public.vn_tone(text) returns text
  language sql immutable parallel safe strict
  as $$ select regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace($1, 'òa(?![[:alpha:]])', 'oà', 'g'), 'óa(?![[:alpha:]])', 'oá', 'g'), 'ỏa(?![[:alpha:]])', 'oả', 'g'), 'õa(?![[:alpha:]])', 'oã', 'g'), 'ọa(?![[:alpha:]])', 'oạ', 'g'), 'òe(?![[:alpha:]])', 'oè', 'g'), 'óe(?![[:alpha:]])', 'oé', 'g'), 'ỏe(?![[:alpha:]])', 'oẻ', 'g'), 'õe(?![[:alpha:]])', 'oẽ', 'g'), 'ọe(?![[:alpha:]])', 'oẹ', 'g'), 'ùy(?![[:alpha:]])', 'uỳ', 'g'), 'úy(?![[:alpha:]])', 'uý', 'g'), 'ủy(?![[:alpha:]])', 'uỷ', 'g'), 'ũy(?![[:alpha:]])', 'uỹ', 'g'), 'ụy(?![[:alpha:]])', 'uỵ', 'g') $$;

create or replace function public.vn_words(text) returns text
  language sql immutable parallel safe strict
  as $$ select public.vn_tone(lower(normalize($1, NFC))) $$;

-- The strings of a jsonb array, space-separated ('' for anything else).
create or replace function public.jsonb_strings(j jsonb) returns text
  language sql immutable parallel safe
  as $$ select coalesce(string_agg(x, ' '), '')
        from jsonb_array_elements_text(case when jsonb_typeof(j) = 'array' then j else '[]'::jsonb end) x $$;

alter table procedures add column search_folded tsvector generated always as (
  setweight(to_tsvector('simple', public.vn_fold(coalesce(portal ->> 'name', curated ->> 'name'))), 'A') ||
  setweight(to_tsvector('simple', public.vn_fold(public.jsonb_strings(curated -> 'keywords'))), 'B') ||
  setweight(to_tsvector('simple', public.vn_fold(coalesce(coalesce(portal, curated) ->> 'field', '') || ' ' ||
                                                 public.jsonb_strings(coalesce(portal, curated) -> 'result'))), 'C') ||
  setweight(to_tsvector('simple', public.vn_fold(coalesce(curated ->> 'summary', ''))), 'D')
) stored;

alter table procedures add column search_accented tsvector generated always as (
  setweight(to_tsvector('simple', public.vn_words(coalesce(portal ->> 'name', curated ->> 'name'))), 'A') ||
  setweight(to_tsvector('simple', public.vn_words(public.jsonb_strings(curated -> 'keywords'))), 'B')
) stored;

create index procedures_search_folded on procedures using gin (search_folded);
create index procedures_search_accented on procedures using gin (search_accented);

-- Nearest names by trigram distance (KNN on a GiST index: fast even for long questions).
create index procedures_name_folded_gist on procedures using gist (name_folded gist_trgm_ops);

-- What reranking reads for each candidate, kept small beside the large record (no detoasting on search).
alter table procedures add column search_keywords text generated always as (public.jsonb_strings(curated -> 'keywords')) stored;
alter table procedures add column search_context text generated always as (
  coalesce(coalesce(portal, curated) ->> 'field', '') || ' ' || public.jsonb_strings(coalesce(portal, curated) -> 'result') || ' ' ||
  coalesce(curated ->> 'summary', '')
) stored;
alter table procedures add column search_levels text generated always as (public.jsonb_strings(coalesce(portal, curated) -> 'level')) stored;
