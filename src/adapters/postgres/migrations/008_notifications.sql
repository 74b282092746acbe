-- Delivery of the dossier_notifications outbox through the job queue (pg-boss, in its own schema
-- `pgboss`, created by pg-boss itself at start), rating requests, and the web chat's inbox of pushed
-- replies.

-- A worker claims a row before it sends, so two workers can never both send it; a claim older than two
-- minutes is taken to belong to a crashed worker. abandoned_at: no longer tried (unknown channel,
-- nothing to send, retries exhausted); last_error says why.
alter table dossier_notifications
  add column claimed_at timestamptz,
  add column abandoned_at timestamptz;
-- What the pump looks for: rows not yet handed to the queue.
create index dossier_notifications_unqueued on dossier_notifications (id)
  where enqueued_at is null and sent_at is null and abandoned_at is null;

-- One satisfaction request per dossier, left for the rating flow (a later issue) to send and collect.
create table rating_requests (
  dossier_code text not null,
  channel text not null,
  chat_id text not null,
  requested_at timestamptz not null default now(),
  unique (dossier_code)
);

-- Replies pushed to a web chat session outside a turn (status notifications); the page polls for them.
create table web_inbox (
  id bigserial primary key,
  session_id text not null,
  replies jsonb not null,
  created_at timestamptz not null default now(),
  delivered_at timestamptz
);
create index web_inbox_undelivered on web_inbox (session_id, id) where delivered_at is null;
