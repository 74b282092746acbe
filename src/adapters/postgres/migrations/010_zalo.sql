-- The Zalo OA channel: its tokens, the admin alerts a dead grant raises, the inbox of verified webhook
-- events, notifications held while a citizen's window is closed, and the template messages sent (the
-- rating template's answers name only the message).

-- One OAuth pair per channel. The refresh token is single-use and rotates on every refresh: the row is
-- rewritten under an advisory lock (adapters/postgres/channel-tokens.ts) before the new access token is
-- used. dead_at: a refresh was refused; nothing is tried until a person saves new tokens.
create table channel_tokens (
  channel text primary key,
  access_token text not null,
  refresh_token text not null,
  expires_at timestamptz not null,
  updated_at timestamptz not null default now(),
  dead_at timestamptz,
  dead_reason text
);

-- Problems a person must act on; shown on /health (and the admin pages). Raised once, cleared by the fix.
create table admin_alerts (
  key text primary key,
  message text not null,
  raised_at timestamptz not null default now()
);

-- Webhook events as received (after the signature check), processed in the background. The unique key
-- (msg_id, or event + timestamp + user) is the deduplication: a re-delivered event inserts nothing.
create table channel_inbox (
  id bigserial primary key,
  channel text not null,
  event_key text not null,
  body text not null,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  attempts integer not null default 0,
  last_error text,
  unique (channel, event_key)
);
create index channel_inbox_pending on channel_inbox (channel, id) where processed_at is null;
create index channel_inbox_received_at on channel_inbox (received_at);

-- A notification whose recipient cannot be reached now (Zalo window closed, no template configured) is
-- held until the citizen writes again; `holds` counts how often, so the re-queued job gets a new id.
alter table dossier_notifications
  add column held_at timestamptz,
  add column holds integer not null default 0;
drop index dossier_notifications_unqueued;
create index dossier_notifications_unqueued on dossier_notifications (id)
  where enqueued_at is null and sent_at is null and abandoned_at is null and held_at is null;
create index dossier_notifications_held on dossier_notifications (channel, chat_id) where held_at is not null;

-- Template messages sent through Zalo and what they were about: `user_feedback` (the rating template's
-- answer) carries the message id but no user id.
create table zalo_template_messages (
  msg_id text primary key,
  dossier_code text not null,
  user_id text,
  purpose text not null,
  sent_at timestamptz not null default now()
);
