-- The procedure catalogue: one row per procedure code, fed by two sources.
--   curated: the project's default catalogue file (knowledge/procedures/…), facts + own words
--   portal:  facts parsed from the national portal's format (npm run kb:import)
-- The record served to citizens is derived: the curated file with the portal's newer facts on top.
create extension if not exists unaccent;
create extension if not exists pg_trgm;

-- unaccent() is only STABLE; this wrapper may be used in indexes and generated columns.
create or replace function public.vn_fold(text) returns text
  language sql immutable parallel safe strict
  as $$ select lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

create table procedures (
  code         text primary key check (code ~ '^[0-9A-Za-z][0-9A-Za-z.\-_]{2,63}$'),
  curated      jsonb,
  portal       jsonb,
  record       jsonb generated always as (coalesce(curated, '{}'::jsonb) || coalesce(portal, '{}'::jsonb)) stored,
  name         text generated always as (coalesce(portal ->> 'name', curated ->> 'name')) stored,
  name_folded  text generated always as (public.vn_fold(coalesce(portal ->> 'name', curated ->> 'name'))) stored,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  constraint procedures_has_a_source check (curated is not null or portal is not null)
);
create index procedures_name_folded_trgm on procedures using gin (name_folded gin_trgm_ops);

create table guides (
  id          text primary key,
  title       text not null,
  keywords    text[] not null default '{}',
  body        text not null,
  updated_at  timestamptz not null default now()
);

-- What each catalogue import did, for the admin and the next engineer.
create table catalogue_imports (
  id           bigserial primary key,
  source       text not null check (source in ('curated', 'portal')),
  location     text not null,
  started_at   timestamptz not null,
  finished_at  timestamptz not null default now(),
  summary      jsonb not null
);
