import type pg from "pg";
import { maskPersonalNumbers } from "../../core/privacy.ts";
import { addMonths, monthLabel, monthStart } from "../../core/vietnam-time.ts";
import type { ComplaintRow, ComplaintStatus, ComplaintUpdater, KpiRow, ReportFilter, ReportGrouping, ReportsReader, SatisfactionRow, UnansweredRow } from "../../core/reports/types.ts";

/** The reports over `report_monthly` (migration 012) and the complaint and unanswered-question tables. */
export interface PostgresReports extends ReportsReader {
  /** Recomputes the figures (a few seconds over a million dossiers); concurrent reads go on meanwhile. */
  refresh(): Promise<void>;
  /** When the figures were last computed; null before the first refresh. */
  refreshedAt(): Promise<Date | null>;
}

interface SumRow {
  key: string;
  label: string | null;
  closed: number;
  late: number;
  requested: number;
  rated: number;
  very_good: number;
  good: number;
  dislike: number;
  complaint_or_dislike: number;
}

const GROUPS: Record<ReportGrouping, { key: string; label: string }> = {
  month: { key: "month", label: "min(month)" },
  unit: { key: "unit_code", label: "max(unit_name)" },
  procedure: { key: "procedure_code", label: "max(procedure_name)" },
};

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);
const pct = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1000) / 10 : 0);

function label(by: ReportGrouping, row: SumRow): string {
  if (by === "month") return `T${monthLabel(row.key).slice(1)}`; // "Tháng 10/2026"
  return row.label?.trim() || (row.key ? row.key : "Không rõ");
}

export function createReportsReader(pool: pg.Pool): PostgresReports {
  /** Sums of report_monthly over the filter, grouped by `by`. */
  async function sums(by: ReportGrouping, f: ReportFilter): Promise<SumRow[]> {
    const g = GROUPS[by];
    const values: unknown[] = [f.from, f.to];
    let where = "month between $1 and $2";
    if (f.unitCode) where += ` and unit_code = $${values.push(f.unitCode)}`;
    if (f.procedureCode) where += ` and procedure_code = $${values.push(f.procedureCode)}`;
    const { rows } = await pool.query<SumRow>(
      `select ${g.key} as key, ${g.label} as label,
              sum(closed)::int as closed, sum(late)::int as late, sum(requested)::int as requested, sum(rated)::int as rated,
              sum(very_good)::int as very_good, sum(good)::int as good, sum(dislike)::int as dislike,
              sum(complaint_or_dislike)::int as complaint_or_dislike
       from report_monthly where ${where}
       group by ${g.key} order by ${by === "month" ? "key" : "sum(closed) desc, key"}`,
      values,
    );
    return rows;
  }

  return {
    async satisfaction(by, filter): Promise<SatisfactionRow[]> {
      return (await sums(by, filter)).map((r) => ({
        key: r.key,
        label: label(by, r),
        closed: r.closed,
        requested: r.requested,
        rated: r.rated,
        veryGood: r.very_good,
        good: r.good,
        dislike: r.dislike,
        dislikeShare: ratio(r.dislike, r.rated),
        responseRate: ratio(r.rated, r.requested),
      }));
    },

    async kpi(by, filter): Promise<KpiRow[]> {
      return (await sums(by, filter)).map((r) => {
        const latePct = pct(r.late, r.closed);
        const complaintOrDislikePct = pct(r.complaint_or_dislike, r.closed);
        return {
          key: r.key,
          label: label(by, r),
          closed: r.closed,
          late: r.late,
          complaintOrDislike: r.complaint_or_dislike,
          latePct,
          complaintOrDislikePct,
          kpi: r.closed > 0 ? Math.round((100 - latePct - complaintOrDislikePct) * 10) / 10 : null,
        };
      });
    },

    async complaints(filter): Promise<ComplaintRow[]> {
      const values: unknown[] = [monthStart(filter.from), monthStart(addMonths(filter.to, 1))];
      let where = "c.created_at >= $1 and c.created_at < $2";
      if (filter.status) where += ` and c.status = $${values.push(filter.status)}`;
      if (filter.unitCode) where += ` and d.unit_code = $${values.push(filter.unitCode)}`;
      if (filter.procedureCode) where += ` and d.procedure_code = $${values.push(filter.procedureCode)}`;
      const { rows } = await pool.query<{ ref: string; dossier_code: string; procedure_name: string | null; unit_name: string | null; comment: string; status: ComplaintStatus; created_at: Date }>(
        `select c.ref, c.dossier_code, d.procedure_name, d.unit_name, c.comment, c.status, c.created_at
         from complaints c left join dossiers d on d.code = c.dossier_code
         where ${where} order by c.created_at desc limit 1000`,
        values,
      );
      return rows.map((r) => ({
        ref: r.ref,
        dossierCode: r.dossier_code,
        procedureName: r.procedure_name,
        unitName: r.unit_name,
        comment: maskPersonalNumbers(r.comment),
        status: r.status,
        createdAt: r.created_at,
      }));
    },

    async unanswered(filter): Promise<UnansweredRow[]> {
      const { rows } = await pool.query<{ key: string; example: string; count: number; last_asked_at: Date }>(
        `select q.key, q.example, sum(d.count)::int as count, q.last_asked_at
         from unanswered_days d join unanswered_questions q on q.key = d.key
         where d.day >= $1::date and d.day < $2::date
         group by q.key, q.example, q.last_asked_at
         order by count desc, q.last_asked_at desc limit 500`,
        [`${filter.from}-01`, `${addMonths(filter.to, 1)}-01`],
      );
      return rows.map((r) => ({ key: r.key, example: maskPersonalNumbers(r.example), count: r.count, lastAskedAt: r.last_asked_at }));
    },

    async dimensions() {
      const units = await pool.query<{ code: string; name: string }>(
        "select unit_code as code, max(unit_name) as name from report_monthly where unit_code <> '' group by unit_code order by 2",
      );
      const procedures = await pool.query<{ code: string; name: string }>(
        "select procedure_code as code, max(procedure_name) as name from report_monthly where procedure_code <> '' group by procedure_code order by 2",
      );
      return { units: units.rows.map((u) => ({ code: u.code, name: u.name ?? u.code })), procedures: procedures.rows.map((p) => ({ code: p.code, name: p.name ?? p.code })) };
    },

    async refresh() {
      // CONCURRENTLY keeps the view readable while it is recomputed (needs the unique index and a first fill).
      const filled = await pool.query("select 1 from report_refreshes where name = 'report_monthly'");
      await pool.query(filled.rowCount ? "refresh materialized view concurrently report_monthly" : "refresh materialized view report_monthly");
      await pool.query("analyze report_monthly"); // fresh statistics for the planner (estimates were 400 rows for 66,000)
      await pool.query(
        "insert into report_refreshes (name, refreshed_at) values ('report_monthly', now()) on conflict (name) do update set refreshed_at = excluded.refreshed_at",
      );
    },

    async refreshedAt() {
      const r = await pool.query<{ refreshed_at: Date }>("select refreshed_at from report_refreshes where name = 'report_monthly'");
      return r.rows[0]?.refreshed_at ?? null;
    },
  };
}

/** Staff's status changes of complaints (the complaints page's form). */
export function createComplaintUpdater(pool: pg.Pool): ComplaintUpdater {
  return {
    async setStatus(ref, status) {
      const r = await pool.query("update complaints set status = $2, updated_at = now() where ref = $1", [ref, status]);
      return r.rowCount === 1;
    },
  };
}
