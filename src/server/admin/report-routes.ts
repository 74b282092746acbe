import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { csvCell, type Column } from "./columns.ts";
import { toCsv } from "./csv.ts";
import { REPORTS, renderAdminNotice, type Dimensions, type ReportName } from "./pages.ts";
import { parseReportQuery, type ReportQuery } from "./query.ts";
import type { PageInput } from "./report-pages.ts";

const HTML = "text/html; charset=utf-8";

/** How one report is read and shown; routes.ts declares the four. */
export interface ReportSpec<R> {
  /** Whether `by` applies (satisfaction, KPI) or not (complaints, unanswered questions). */
  grouped: boolean;
  read(q: ReportQuery): Promise<readonly R[]>;
  columns(q: ReportQuery): Column<R>[];
  render(m: PageInput<R>): string;
}

/** The filter handed to the reader: the period, unit, procedure and (complaints) status. */
export function readerFilter(q: ReportQuery) {
  return { ...q.filter, ...(q.status ? { status: q.status } : {}) };
}

/** One report's three routes: the page, `<page>.csv`, and the JSON under /api/v1/reports. */
export function mountReport<R>(
  app: FastifyInstance,
  name: ReportName,
  spec: ReportSpec<R>,
  context: { dimensions(): Promise<Dimensions>; now(): Date; userOf(req: FastifyRequest): string },
): void {
  const { now, userOf } = context;
  const r = REPORTS[name];
  const badRequest = (req: FastifyRequest, reply: FastifyReply, message: string) =>
    reply
      .code(400)
      .type(HTML)
      .send(renderAdminNotice({ title: "Bộ lọc báo cáo chưa đúng", message, user: userOf(req), current: name, link: { href: r.path, label: "Xem báo cáo với bộ lọc mặc định" } }));

  app.get(r.path, async (req, reply) => {
    const q = parseReportQuery(req.query, now());
    if (!q.ok) return badRequest(req, reply, q.message);
    const [rows, dims] = await Promise.all([spec.read(q.value), context.dimensions()]);
    return reply.type(HTML).send(spec.render({ user: userOf(req), query: q.value, rows, dims }));
  });

  app.get(`${r.path}.csv`, async (req, reply) => {
    const q = parseReportQuery(req.query, now());
    if (!q.ok) return badRequest(req, reply, q.message);
    const rows = await spec.read(q.value);
    const columns = spec.columns(q.value);
    const body = toCsv(
      columns.map((c) => c.header),
      rows.map((row) => columns.map((c) => csvCell(c, row))),
    );
    return reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="bao-cao-${r.file}-${q.value.filter.from}-${q.value.filter.to}.csv"`)
      .send(body);
  });

  app.get(r.api, async (req, reply) => {
    const q = parseReportQuery(req.query, now());
    if (!q.ok) return reply.code(400).send({ error: { code: "request:invalid", message: q.message } });
    const rows = await spec.read(q.value);
    return { filter: spec.grouped ? q.value.filter : readerFilter(q.value), by: spec.grouped ? q.value.by : null, rows };
  });
}
