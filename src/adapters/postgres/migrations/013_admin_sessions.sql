-- Admin sessions (report pages). Only a SHA-256 of the session id is stored, so a copy of the table
-- opens no session. Expired rows are deleted as new sessions are made.
create table admin_sessions (
  id_hash text primary key,
  username text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index admin_sessions_expires_at on admin_sessions (expires_at);
