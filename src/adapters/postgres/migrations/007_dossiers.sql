-- Case tracking: dossiers (current state), their append-only history, subscriptions, the notification
-- outbox, lookup rate limits, and the key that hashes verification factors. No personal data is stored:
-- the applicant's phone number arrives in an event and only an HMAC of its last 4 digits is kept.

create table app_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
-- The key for verification-factor hashes, made once per database (a leaked table of hashes of 4 digits
-- is worthless without it). gen_random_uuid is in core PostgreSQL since 13.
insert into app_secrets (name, value)
values ('dossier_factor_key', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));

create table dossiers (
  code text primary key,                        -- canonical: 000.00.12.H29-250312-0042, or a receipt number
  lookup_key text,                              -- national codes: H29-250312-0042 (agency, date, sequence)
  unit_parts text[] not null default '{}',      -- the other unit segments: {000,00,12}
  receipt_no text,
  procedure_code text,
  procedure_name text,
  unit_code text,
  unit_name text,
  channel smallint check (channel between 1 and 3),
  status smallint not null check (status between 1 and 10),
  vendor_status text,
  status_at timestamptz not null,               -- event time of the status shown (older events never overwrite it)
  received_at timestamptz,
  appointment_at timestamptz,
  rescheduled_at timestamptz,                   -- the one new date of an apology letter
  reschedule_reason text,
  finished_at timestamptz,
  returned_at timestamptz,
  supplements jsonb not null default '[]',      -- [{requestedAt, resolvedAt, items[]}]
  fees_due jsonb,                               -- {amount, note}
  result_delivery text check (result_delivery in ('counter', 'post', 'online')),
  factor_hash text,                             -- hex HMAC-SHA256(key, code || ':' || last 4 digits)
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index dossiers_lookup_key on dossiers (lookup_key) where lookup_key is not null;
create index dossiers_receipt_no on dossiers (upper(receipt_no)) where receipt_no is not null;

create table dossier_events (
  event_id text primary key,
  dossier_code text not null,
  occurred_at timestamptz not null,
  status smallint check (status between 1 and 10),
  vendor_status text,
  note text,
  payload jsonb not null,                       -- the event as received, minus the phone number
  outcome text not null check (outcome in ('applied', 'stale')),
  received_at timestamptz not null default now()
);
create index dossier_events_dossier on dossier_events (dossier_code, occurred_at);

create table dossier_subscriptions (
  dossier_code text not null references dossiers (code) on delete cascade,
  channel text not null,
  chat_id text not null,
  verified_at timestamptz not null default now(),
  primary key (dossier_code, channel, chat_id)
);
create index dossier_subscriptions_chat on dossier_subscriptions (channel, chat_id);

-- Written in the same transaction as the event that causes it; the job queue delivers it. The unique key
-- is what makes a replayed event or a retried job unable to notify twice.
create table dossier_notifications (
  id bigserial primary key,
  kind text not null check (kind in ('status', 'rating')),
  event_id text not null,
  dossier_code text not null,
  channel text not null,
  chat_id text not null,
  status smallint,
  created_at timestamptz not null default now(),
  enqueued_at timestamptz,
  sent_at timestamptz,
  attempts int not null default 0,
  last_error text,
  unique (kind, event_id, channel, chat_id)
);
create index dossier_notifications_pending on dossier_notifications (created_at) where sent_at is null;

create table rate_limits (
  key text not null,
  window_start timestamptz not null,
  hits int not null,
  primary key (key, window_start)
);
