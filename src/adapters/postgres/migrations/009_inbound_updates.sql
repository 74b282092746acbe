-- Updates already received from a messaging platform (Telegram update_id, Zalo msg_id): platforms
-- re-deliver when a webhook is slow or fails, and a citizen must not get the same answer twice.
-- Rows are kept a few days (platforms stop re-delivering within a day) and swept by the adapter.
create table inbound_updates (
  channel text not null,
  update_key text not null,
  received_at timestamptz not null default now(),
  primary key (channel, update_key)
);
create index inbound_updates_received_at on inbound_updates (received_at);
