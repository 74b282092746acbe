-- Conversation state per channel chat (the procedure under discussion, the choices offered), with an
-- optimistic version so two turns of one chat cannot silently overwrite each other.
create table conversations (
  channel     text not null,
  chat_id     text not null,
  state       jsonb not null default '{}'::jsonb,
  version     integer not null default 0,
  updated_at  timestamptz not null default now(),
  primary key (channel, chat_id)
);
create index conversations_updated_at on conversations (updated_at);
