import { loadConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { migrate } from "../adapters/postgres/migrate.ts";
import { createCatalogueRepository } from "../adapters/postgres/catalogue-repository.ts";
import { createReportsReader } from "../adapters/postgres/reports-reader.ts";
import { createAdminSessions } from "../adapters/postgres/admin-sessions.ts";
import { createHttpServer } from "../server/app.ts";
import { hashPassword } from "../server/admin/auth.ts";
import { benchArgs } from "./bench-support.ts";
import { openScratchDatabase } from "./context.ts";

/**
 * `npm run bench:reports -- [--dossiers N] [--ratings N] [--requests N]`: the admin reports over a
 * province-sized history. On the PostgreSQL server at DATABASE_URL (a scratch database, dropped at the
 * end) it seeds, set-based inside the database, N dossiers (default 1,000,000) over the last 14 months
 * across 60 units of Đà Nẵng (45 wards, each handling the 120 ward-level procedures, and 15 departments
 * with 12 procedures each: 300 in all), ~85% closed and ~12% of those late; rating requests for ~45% of
 * closed dossiers, `--ratings` ratings (default 300,000; 60/30/10% very good/good/dislike), complaints
 * from ~1% of ratings (all "dislike", each comment holding a phone number) and ~2,000 unanswered
 * questions with daily counts. It times the first (plain) and a second (concurrent) refresh of
 * `report_monthly`, then the HTTP app as main.ts builds it for admins answers, over loopback with one
 * logged-in session, every report page (the default period: the last 12 months), its CSV and its JSON
 * API, grouped by month, unit and procedure, plus satisfaction filtered to one unit and to one procedure.
 * `--requests` timed requests per route (default 200), round-robin over the routes after 3 warm-ups each;
 * time = request sent until the whole body is read. Target: every route's p95 ≤ 300 ms.
 * Last line: {"dossiers": …, "ratings": …, "p95_ms": <worst route's p95>, "worst": …, "refresh_ms": …, "seed_s": …}.
 */
const { opt } = benchArgs();
const N = Number(opt("--dossiers", "1000000"));
const RATINGS = Number(opt("--ratings", "300000"));
const REQUESTS = Number(opt("--requests", "200"));
const WARMUP = 3;
const TARGET_MS = 300;
const DAYS = 425; // ~14 months
const PASSWORD = "mật khẩu đo hiệu năng 2026";

const WARDS = ["Hải Châu 1", "Hải Châu 2", "Thạch Thang", "Thanh Bình", "Thuận Phước", "Phước Ninh", "Hòa Thuận Tây", "Hòa Thuận Đông", "Nam Dương", "Bình Hiên", "Bình Thuận", "Hòa Cường Bắc", "Hòa Cường Nam", "Thanh Khê Tây", "Thanh Khê Đông", "Xuân Hà", "Tân Chính", "Chính Gián", "Vĩnh Trung", "Thạc Gián", "An Khê", "Hòa Khê", "Tam Thuận", "An Hải Bắc", "An Hải Đông", "An Hải Tây", "Mân Thái", "Nại Hiên Đông", "Phước Mỹ", "Thọ Quang", "Bắc Mỹ An", "Khuê Mỹ", "Hòa Hải", "Hòa Quý", "Mỹ An", "Hòa Minh", "Hòa Khánh Bắc", "Hòa Khánh Nam", "Hòa Hiệp Bắc", "Hòa Hiệp Nam", "Hòa Phát", "Hòa An", "Hòa Thọ Đông", "Hòa Thọ Tây", "Khuê Trung"];
const DEPARTMENTS = ["Tư pháp", "Xây dựng", "Tài nguyên và Môi trường", "Kế hoạch và Đầu tư", "Giao thông vận tải", "Y tế", "Giáo dục và Đào tạo", "Lao động - Thương binh và Xã hội", "Công Thương", "Nội vụ", "Văn hóa và Thể thao", "Du lịch", "Nông nghiệp và Phát triển nông thôn", "Thông tin và Truyền thông", "Khoa học và Công nghệ"];
const WARD_PROCEDURES = ["Đăng ký khai sinh", "Đăng ký kết hôn", "Đăng ký khai tử", "Chứng thực bản sao từ bản chính", "Chứng thực chữ ký", "Xác nhận tình trạng hôn nhân", "Đăng ký giám hộ", "Cấp bản sao trích lục hộ tịch", "Đăng ký nhận cha, mẹ, con", "Thay đổi, cải chính, bổ sung thông tin hộ tịch", "Đăng ký khai sinh lưu động", "Chứng thực hợp đồng, giao dịch", "Đăng ký hoạt động tín ngưỡng", "Hỗ trợ chi phí mai táng", "Trợ cấp xã hội hằng tháng", "Xác nhận hộ gia đình làm nông nghiệp", "Đăng ký khai sinh cho người đã có hồ sơ", "Đăng ký lại khai tử", "Cấp giấy xác nhận thông tin về cư trú", "Thông báo tổ chức lễ hội"];
const DEPARTMENT_ACTIONS = ["Cấp giấy phép", "Cấp lại giấy phép", "Gia hạn giấy phép", "Điều chỉnh giấy phép", "Cấp chứng chỉ hành nghề", "Cấp giấy chứng nhận đủ điều kiện", "Thẩm định hồ sơ", "Phê duyệt phương án", "Đăng ký hoạt động", "Cấp giấy xác nhận", "Công nhận", "Thu hồi giấy phép"];
const TOPICS = ["làm căn cước", "đổi giấy phép lái xe", "sang tên sổ đỏ", "đăng ký xe máy", "xin giấy phép xây dựng", "tách thửa đất", "đăng ký hộ kinh doanh", "làm hộ chiếu", "nhận trợ cấp thất nghiệp", "đăng ký tạm trú", "xin cấp lại bằng tốt nghiệp", "chuyển trường cho con", "cấp thẻ bảo hiểm y tế", "xin giấy phép bán rượu", "đăng ký mã số thuế", "làm lý lịch tư pháp", "hợp thức hóa nhà đất", "xin hỗ trợ hộ nghèo", "nhận lương hưu", "xin phép sửa nhà", "đăng ký kết hôn với người nước ngoài", "nhập quốc tịch", "xin visa cho người thân", "khai nhận di sản", "cấp phép quảng cáo"];
const FORMS = ["Cho hỏi %s thì cần giấy tờ gì?", "%s mất bao lâu vậy ạ?", "Lệ phí %s là bao nhiêu?", "%s nộp online được không?", "Tôi ở quận khác có %s ở đây được không?", "%s có cần photo công chứng không?", "Hồ sơ %s bị trả lại thì làm sao?", "Thứ 7 có nhận hồ sơ %s không?"];
const PLACES = ["", " ở Hải Châu", " ở Thanh Khê", " ở Sơn Trà", " ở Ngũ Hành Sơn", " ở Liên Chiểu", " ở Cẩm Lệ", " ở Hòa Vang", " cho người già", " gấp"];

const config = loadConfig();
if (config.database.kind !== "server") {
  console.error("bench:reports needs DATABASE_URL (a PostgreSQL server): a scratch database is created beside it and dropped at the end.");
  process.exit(2);
}
const sqlArray = (xs: readonly string[]) => `array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(",")}]`;
/** A pseudo-random integer in [0, m) from `v` (a row number or a code) and a per-field seed: set-based, no random(). */
const h = (v: string, seed: number, m: number) => `((hashint8extended(${v}, ${seed}) & 9223372036854775807) % ${m})`;
const ht = (v: string, seed: number, m: number) => `((hashtextextended(${v}, ${seed}) & 9223372036854775807) % ${m})`;

const { db, dispose } = await openScratchDatabase(config, { server: true, name: "tthc_bench_reports", max: 8 });
let app: ReturnType<typeof createHttpServer> | undefined;
try {
  await migrate(db.pool);
  const q = (sql: string) => db.pool.query(sql);
  const seedStart = performance.now();
  // Dossiers: unit (skewed: the first wards are the busiest), then a procedure that unit handles.
  await q(`
    insert into dossiers (code, lookup_key, unit_parts, procedure_code, procedure_name, unit_code, unit_name, channel, status, vendor_status,
                          status_at, received_at, appointment_at, rescheduled_at, reschedule_reason, finished_at, returned_at, result_delivery)
    select '000.00.' || uu || '.H48-' || to_char(rec, 'YYMMDD') || '-' || lpad(i::text, 7, '0'), 'H48-' || to_char(rec, 'YYMMDD') || '-' || lpad(i::text, 7, '0'),
           array['000', '00', uu], '1.' || lpad((1000 + p * 7)::text, 6, '0'),
           case when p < 120 then (${sqlArray(WARD_PROCEDURES)})[1 + p % 20] || case when p >= 20 then ' (trường hợp ' || (p / 20 + 1) || ')' else '' end
                else (${sqlArray(DEPARTMENT_ACTIONS)})[1 + p % 12] || ' lĩnh vực ' || (${sqlArray(DEPARTMENTS)})[1 + (p - 120) / 12] end,
           'H48.' || uu, case when u < 45 then 'UBND phường ' || (${sqlArray(WARDS)})[1 + u] else 'Sở ' || (${sqlArray(DEPARTMENTS)})[u - 44] end,
           1 + i % 3, st, case when st >= 9 then 'Đã trả kết quả' else 'Đang giải quyết' end,
           coalesce(fin, least(now(), rec + interval '1 hour' * ${h("i", 9, 120)})), rec, appt, resched,
           case when resched is not null then 'Cần xác minh thêm thông tin' end, fin, case when st = 10 then fin end,
           (array['counter', 'post', 'online'])[1 + i % 3]
    from (
      select i, u, lpad((u + 1)::text, 2, '0') uu, p, st, rec, appt, resched,
             case when st >= 9 then least(now(), case when ${h("i", 6, 100)} < 12 then coalesce(resched, appt) + interval '1 hour' * (4 + ${h("i", 7, 240)})
                                                      else rec + (appt - rec) * (${h("i", 7, 1000)} / 1000.0) end) end fin
      from (
        select i, u, case when u < 45 then floor(120 * power(${h("i", 2, 1000000)}::float8 / 1e6, 2))::int else 120 + (u - 45) * 12 + ${h("i", 2, 12)}::int end p,
               case when ${h("i", 3, 100)} < 85 then (case when i % 4 = 0 then 9 else 10 end) else 2 + ${h("i", 3, 5)}::int end::smallint st,
               rec, rec + interval '1 day' * (3 + ${h("i", 4, 15)}) appt,
               case when ${h("i", 5, 100)} < 5 then rec + interval '1 day' * (8 + ${h("i", 4, 15)}) end resched
        from (select i, floor(60 * power(${h("i", 1, 1000000)}::float8 / 1e6, 1.3))::int u,
                     now() - interval '1 second' * ${h("i", 8, DAYS * 86400)} rec
              from generate_series(0, ${N - 1}::bigint) i) a
      ) b
    ) c`);
  // Invitations to rate ~45% of closed dossiers, and --ratings answers from the invited.
  await q(`insert into rating_requests (dossier_code, channel, chat_id, requested_at, token, sent_at, origin)
    select code, ch, 'chat-' || ${ht("code", 11, 10000000)}, t, substr(md5(code), 1, 20), t, 'closure'
    from (select code, (array['telegram', 'zalo', 'web'])[1 + ${ht("code", 12, 3)}::int] ch, finished_at + interval '30 minutes' t
          from dossiers where status in (9, 10) and ${ht("code", 10, 100)} < 45) s`);
  const requests = (await q("select count(*)::int n from rating_requests")).rows[0].n as number;
  if (RATINGS > requests) console.warn(`Only ${requests} rating requests: --ratings ${RATINGS} is capped at that.`);
  await q(`insert into ratings (dossier_code, channel, chat_id, overall, contacts, attitude, convenience, comment, stars, rated_at, updated_at)
    select dossier_code, channel, chat_id, ov,
           case when f then ${ht("dossier_code", 22, 3)} end, case when f then greatest(ov, 1 + ${ht("dossier_code", 23, 3)}) end,
           case when f then greatest(ov, 1 + ${ht("dossier_code", 24, 3)}) end,
           case when ov = 1 or ${ht("dossier_code", 25, 100)} < 8 then (array['Cán bộ nhiệt tình, hướng dẫn rõ ràng.', 'Chờ hơi lâu ở bộ phận một cửa.', 'Trả kết quả trễ hẹn, không được báo trước.', 'Phải đi lại nhiều lần mới xong.'])[case when ov = 1 then 3 + ${ht("dossier_code", 26, 2)} else 1 + ${ht("dossier_code", 26, 2)} end] end,
           case when channel = 'zalo' then case ov when 3 then 5 when 2 then 3 else 1 end end, ts, ts
    from (select dossier_code, channel, chat_id, least(now(), sent_at + interval '1 minute' * (5 + ${ht("dossier_code", 21, 2880)})) ts,
                 case when ${ht("dossier_code", 20, 100)} < 60 then 3 when ${ht("dossier_code", 20, 100)} < 90 then 2 else 1 end::smallint ov,
                 ${ht("dossier_code", 27, 100)} < 50 f
          from rating_requests order by ${ht("dossier_code", 19, 1000000007)} limit ${RATINGS}) s`);
  // Complaints: ~1% of ratings, all from "dislike" ratings; the comment carries a phone number (masked on display).
  await q(`insert into complaints (ref, dossier_code, channel, chat_id, comment, status, created_at, updated_at)
    select 'PA-' || to_char(ts at time zone 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-' || lpad(n::text, greatest(4, length(n::text)), '0'),
           dossier_code, channel, chat_id,
           'Hồ sơ ' || dossier_code || ' trả kết quả trễ hẹn, gọi lên bộ phận một cửa không ai nghe. Đề nghị liên hệ lại số 09' || lpad(${ht("dossier_code", 31, 100000000)}::text, 8, '0') || '.',
           (array['new', 'in_progress', 'resolved'])[1 + ${ht("dossier_code", 32, 3)}], ts, ts
    from (select dossier_code, channel, chat_id, rated_at + interval '2 minutes' ts, row_number() over (order by rated_at) n
          from (select * from ratings where overall = 1 order by ${ht("dossier_code", 30, 1000000007)} limit ${Math.round(RATINGS * 0.01)}) r) s`);
  await q("select setval('complaint_numbers', greatest(1, (select count(*) from complaints)))");
  // ~2,000 unanswered questions, a few asked daily, most a handful of times over the period.
  const form = `replace((${sqlArray(FORMS)})[1 + (k / 25) % 8], '%s', (${sqlArray(TOPICS)})[1 + k % 25] || (${sqlArray(PLACES)})[1 + (k / 200) % 10])`;
  await q(`insert into unanswered_questions (key, example, count) select lower(${form}) || ' #' || k, ${form}, 0 from generate_series(0, 1999) k`);
  await q(`insert into unanswered_days (key, day, count)
    select lower(${form}) || ' #' || k, current_date - dd, 1 + ${h("k * 1000 + dd", 41, 4)}
    from generate_series(0, 1999) k cross join generate_series(0, ${DAYS - 1}) dd
    where dd = k % ${DAYS} or ${h("k * 1000 + dd", 40, 10000)} < 5000 / (1 + k / 10.0)`);
  await q(`update unanswered_questions q set count = s.c, first_asked_at = s.f, last_asked_at = s.l + interval '15 hours'
    from (select key, sum(count)::int c, min(day)::timestamptz f, max(day)::timestamptz l from unanswered_days group by key) s where s.key = q.key`);
  await q("analyze");
  const seedS = Math.round((performance.now() - seedStart) / 100) / 10;
  const counts = (await q(`select (select count(*) from dossiers)::int d, (select count(*) from dossiers where status in (9, 10))::int closed,
      (select count(*) from rating_requests)::int rr, (select count(*) from ratings)::int r, (select count(*) from complaints)::int c,
      (select count(*) from unanswered_questions)::int uq, (select count(*) from unanswered_days)::int ud`)).rows[0];
  console.log(`Seeded in ${seedS} s: ${counts.d.toLocaleString("en")} dossiers (${counts.closed.toLocaleString("en")} closed), ${counts.rr.toLocaleString("en")} rating requests, ${counts.r.toLocaleString("en")} ratings, ${counts.c.toLocaleString("en")} complaints, ${counts.uq} unanswered questions over ${counts.ud.toLocaleString("en")} question-days`);

  const reports = createReportsReader(db.pool);
  let t = performance.now();
  await reports.refresh();
  const refreshMs = Math.round(performance.now() - t);
  t = performance.now();
  await reports.refresh();
  const refresh2Ms = Math.round(performance.now() - t);
  const viewRows = (await q("select count(*)::int n from report_monthly")).rows[0].n as number;
  console.log(`Refresh of report_monthly (${viewRows.toLocaleString("en")} rows): first fill ${refreshMs} ms, second (concurrently) ${refresh2Ms} ms`);

  // The HTTP app as main.ts builds it for admins.
  const log = createLogger("error", process.stderr as never);
  app = createHttpServer({
    catalogue: createCatalogueRepository(db.pool),
    health: { database: { kind: "server", vectorSearch: false } },
    logger: log,
    admin: { reports, users: [{ username: "canbo01", passwordHash: await hashPassword(PASSWORD) }], sessions: createAdminSessions(db.pool), sessionIdleMinutes: 30 },
  });
  const origin = await app.listen({ host: "127.0.0.1", port: 0 });
  let cookie = "";
  /** Keeps the session cookie current: the app replaces it with a fresh one every few minutes. */
  const keepCookie = (res: Response) => {
    const m = /tthc_admin=([^;]+)/.exec(res.headers.get("set-cookie") ?? "");
    if (m) cookie = `tthc_admin=${m[1]}`;
  };
  const login = await fetch(`${origin}/admin/dang-nhap`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: new URLSearchParams({ username: "canbo01", password: PASSWORD }).toString(),
  });
  keepCookie(login);
  if (login.status !== 303 || !cookie) throw new Error(`login answered ${login.status} without a session cookie`);

  const top = (await q(`select (select unit_code from report_monthly group by 1 order by sum(closed) desc limit 1) unit,
      (select procedure_code from report_monthly group by 1 order by sum(closed) desc limit 1) proc`)).rows[0] as { unit: string; proc: string };
  const routes: string[] = [];
  for (const [page, api] of [["hai-long", "satisfaction"], ["chi-so", "kpi"]]) {
    for (const by of ["month", "unit", "procedure"]) routes.push(`/admin/bao-cao/${page}?by=${by}`, `/admin/bao-cao/${page}.csv?by=${by}`, `/api/v1/reports/${api}?by=${by}`);
  }
  for (const [page, api] of [["phan-anh", "complaints"], ["cau-hoi-chua-tra-loi", "unanswered"]]) routes.push(`/admin/bao-cao/${page}`, `/admin/bao-cao/${page}.csv`, `/api/v1/reports/${api}`);
  routes.push(`/admin/bao-cao/hai-long?by=procedure&unit=${encodeURIComponent(top.unit)}`, `/admin/bao-cao/hai-long?by=unit&procedure=${encodeURIComponent(top.proc)}`);

  /** One request, timed until its whole body is read; throws unless it is a 200 with a real report in it. */
  async function timed(route: string, check: boolean): Promise<number> {
    const s = performance.now();
    const res = await fetch(`${origin}${route}`, { headers: { cookie }, redirect: "manual" });
    const body = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - s;
    keepCookie(res);
    if (res.status !== 200) throw new Error(`${route} answered ${res.status}: ${body.toString("utf8").slice(0, 200)}`);
    if (check) {
      const text = body.toString("utf8");
      const ok = route.startsWith("/api/")
        ? ((JSON.parse(text) as { rows?: unknown[] }).rows?.length ?? 0) > 0
        : route.includes(".csv")
          ? body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf && text.split("\r\n").length > 2
          : text.includes("<svg");
      if (!ok) throw new Error(`${route} answered 200 without a report in it: ${text.slice(0, 200)}`);
    }
    return ms;
  }
  for (const route of routes) for (let k = 0; k < WARMUP; k++) await timed(route, true);
  const times = new Map<string, number[]>(routes.map((r) => [r, []]));
  const benchStart = performance.now();
  for (let k = 0; k < REQUESTS; k++) for (const route of routes) times.get(route)!.push(await timed(route, k === REQUESTS - 1));
  const totalS = (performance.now() - benchStart) / 1000;

  const pct = (xs: number[], p: number) => Math.round(xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! * 10) / 10;
  const rows = routes.map((route) => {
    const xs = times.get(route)!.sort((a, b) => a - b);
    return { route, p50: pct(xs, 50), p95: pct(xs, 95), max: pct(xs, 100) };
  });
  const width = Math.max(...routes.map((r) => r.length));
  console.log(`\n${REQUESTS} requests per route, round-robin over ${routes.length} routes, one at a time (${totalS.toFixed(1)} s); default period, unit ${top.unit}, procedure ${top.proc}`);
  console.log(`${"route".padEnd(width)}  ${"p50 ms".padStart(8)}  ${"p95 ms".padStart(8)}  ${"max ms".padStart(8)}`);
  for (const r of rows) console.log(`${r.route.padEnd(width)}  ${String(r.p50).padStart(8)}  ${String(r.p95).padStart(8)}  ${String(r.max).padStart(8)}${r.p95 > TARGET_MS ? "  over target" : ""}`);
  const worst = rows.reduce((a, b) => (b.p95 > a.p95 ? b : a));
  console.log(`Target: every route's p95 ≤ ${TARGET_MS} ms: ${worst.p95 <= TARGET_MS ? "met" : "MISSED"} (worst ${worst.route}, p95 ${worst.p95} ms)`);
  console.log(JSON.stringify({ dossiers: N, ratings: counts.r, p95_ms: worst.p95, worst: worst.route, refresh_ms: refreshMs, seed_s: seedS }));
} finally {
  await app?.close();
  await dispose();
}
