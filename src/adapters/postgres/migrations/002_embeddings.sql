-- requires: vector
-- Embeddings for vector search (used only when an embeddings endpoint is configured).
-- Skipped, with one log line, on a server without the pgvector extension; applied on a later
-- migrate once the extension is installed.
create extension if not exists vector;

create table procedure_embeddings (
  code          text primary key references procedures (code) on delete cascade,
  model         text not null,
  content_hash  text not null,
  embedding     vector not null,
  updated_at    timestamptz not null default now()
);
