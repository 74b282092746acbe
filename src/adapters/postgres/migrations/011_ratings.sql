-- Satisfaction ratings after a dossier closes, complaints filed from them, and the questions the
-- assistant could not answer (for the catalogue team).

-- The invitation to rate one dossier: one per dossier. `token` names it in button payloads (rt:<token>:3),
-- so a payload alone cannot rate another dossier; a tap also has to come from the invited chat.
alter table rating_requests
  add column token text,
  add column sent_at timestamptz,
  add column reminded_at timestamptz,
  add column origin text not null default 'closure' check (origin in ('closure', 'citizen'));
update rating_requests set token = substr(replace(gen_random_uuid()::text, '-', ''), 1, 20) where token is null;
alter table rating_requests alter column token set not null;
create unique index rating_requests_token on rating_requests (token);

-- One rating per dossier. overall: 3 Rất hài lòng, 2 Hài lòng, 1 Không hài lòng. The follow-ups
-- (Circular 01/2018): contacts = times the citizen had to contact the desk (0, 1, 2 = more); attitude and
-- convenience 3 good / 2 acceptable / 1 bad (harassment, inconvenience). stars/feedbacks: Zalo's rating
-- template answers (1–5 stars, mapped to overall). Each answer is saved as it comes.
create table ratings (
  dossier_code text primary key,
  channel text not null,
  chat_id text,
  overall smallint not null check (overall between 1 and 3),
  contacts smallint check (contacts between 0 and 2),
  attitude smallint check (attitude between 1 and 3),
  convenience smallint check (convenience between 1 and 3),
  comment text,
  stars smallint check (stars between 1 and 5),
  feedbacks jsonb,
  rated_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index ratings_rated_at on ratings (rated_at);

-- Complaints (phản ánh) filed from a rating's comment, with the reference number given to the citizen.
create sequence complaint_numbers;
create table complaints (
  ref text primary key,
  dossier_code text not null,
  channel text not null,
  chat_id text,
  comment text not null,
  status text not null default 'new' check (status in ('new', 'in_progress', 'resolved')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index complaints_dossier on complaints (dossier_code);
create index complaints_created_at on complaints (created_at);

-- Questions the assistant could not answer, grouped by their folded text. Numbers are masked before
-- they are stored; the example is the latest wording.
create table unanswered_questions (
  key text primary key,
  example text not null,
  count integer not null default 1,
  first_asked_at timestamptz not null default now(),
  last_asked_at timestamptz not null default now()
);
create table unanswered_days (
  key text not null references unanswered_questions (key) on delete cascade,
  day date not null,
  count integer not null default 1,
  primary key (key, day)
);

-- Rating requests and their one reminder go through the outbox like status updates; quiet hours push
-- them to the morning (not_before).
alter table dossier_notifications drop constraint dossier_notifications_kind_check;
alter table dossier_notifications add constraint dossier_notifications_kind_check check (kind in ('status', 'rating', 'reminder'));
alter table dossier_notifications add column not_before timestamptz;
-- Rating rows queued before this change went to a "rating-request" queue nobody works any more: queue
-- them again, on their channel's queue.
update dossier_notifications set enqueued_at = null, holds = holds + 1
where kind = 'rating' and sent_at is null and abandoned_at is null and enqueued_at is not null;

-- Reports group closed dossiers by month, unit and procedure.
create index dossiers_closed on dossiers ((coalesce(finished_at, status_at))) where status in (9, 10);
