-- The reports' figures, per month (Vietnam time), unit and procedure, over closed dossiers (status 9/10):
-- a materialized view, so a report over a million dossiers reads a few thousand rows. Refreshed by the
-- app every few minutes (REPORTS_REFRESH_MINUTES) and at start; a report says how fresh it is.
create materialized view report_monthly as
select to_char(date_trunc('month', coalesce(d.finished_at, d.status_at) at time zone 'Asia/Ho_Chi_Minh'), 'YYYY-MM') as month,
       coalesce(d.unit_code, '') as unit_code,
       max(d.unit_name) as unit_name,
       coalesce(d.procedure_code, '') as procedure_code,
       max(d.procedure_name) as procedure_name,
       count(*)::integer as closed,
       count(*) filter (where coalesce(d.finished_at, d.status_at) > coalesce(d.rescheduled_at, d.appointment_at))::integer as late,
       count(rr.dossier_code)::integer as requested,
       count(r.dossier_code)::integer as rated,
       count(*) filter (where r.overall = 3)::integer as very_good,
       count(*) filter (where r.overall = 2)::integer as good,
       count(*) filter (where r.overall = 1)::integer as dislike,
       count(*) filter (where r.overall = 1 or c.dossier_code is not null)::integer as complaint_or_dislike
from dossiers d
left join ratings r on r.dossier_code = d.code
left join rating_requests rr on rr.dossier_code = d.code
left join (select distinct dossier_code from complaints) c on c.dossier_code = d.code
where d.status in (9, 10)
group by 1, 2, 4;
create unique index report_monthly_key on report_monthly (month, unit_code, procedure_code);

create table report_refreshes (
  name text primary key,
  refreshed_at timestamptz not null
);
