import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNotifications } from "../../../src/adapters/postgres/notification-dispatcher.ts";
import { createWebInbox } from "../../../src/adapters/postgres/web-inbox.ts";
import type { AssistantParts } from "../../../src/cli/assistant-factory.ts";
import { DEMO_TRY } from "../../../src/cli/demo-dossiers.ts";
import type { Reply } from "../../../src/core/dialogue/messages.ts";
import { demoAssistant } from "../../support/assistant.ts";
import { freshDatabase } from "../../support/databases.ts";

const log = pino({ level: "silent" });
const CLOSED = DEMO_TRY[2]!; // status 10: returned by post
const OPEN = DEMO_TRY[0]!; // status 4: in progress

describe("the satisfaction rating, through the assistant (web chat, embedded database)", () => {
  let ctx: Awaited<ReturnType<typeof freshDatabase>>;
  let parts: AssistantParts;
  let session = 0;

  beforeAll(async () => {
    ctx = await freshDatabase("pglite");
    parts = await demoAssistant(ctx.db, log);
  });
  afterAll(async () => ctx.dispose());

  const chat = () => `rating-session-${++session}-abcdef`;
  const say = async (chatId: string, text: string) => (await parts.assistant.handleDetailed({ channel: "web", chatId, text, receivedAt: new Date() }));
  const tap = async (chatId: string, action: string) => (await parts.assistant.handleDetailed({ channel: "web", chatId, action, receivedAt: new Date() }));
  const choice = (replies: Reply[], label: string) => replies.flatMap((r) => r.choices ?? []).find((c) => c.label === label)?.id;
  const rating = async (code: string) => (await ctx.db.pool.query("select overall, contacts, attitude, convenience, comment from ratings where dossier_code = $1", [code])).rows[0];
  /** A fresh closed dossier (its own code), so each test rates once. */
  let n = 0;
  async function closedDossier(): Promise<string> {
    const code = `000.00.05.H48-251101-${String(9000 + ++n).padStart(4, "0")}`;
    await parts.dossiers.ingest([
      { id: `rf-${code}-1`, dossierCode: code, occurredAt: new Date(Date.now() - 86_400_000), status: 2, procedureCode: "1.001193", procedureName: "Đăng ký khai sinh", unitCode: "H48.05", unitName: "UBND phường Hải Châu", phone: "0905123456" },
      { id: `rf-${code}-2`, dossierCode: code, occurredAt: new Date(), status: 10 },
    ]);
    return code;
  }
  /** The invitation a closure makes, as the dispatcher would compose it. */
  async function invited(code: string, chatId: string): Promise<Reply[]> {
    const request = await parts.ratingRequests.compose({ dossierCode: code, channel: "web", chatId, reminder: false });
    expect(request).not.toBeNull();
    await parts.ratingRequests.sent(request!.token, false);
    return request!.replies;
  }

  it("asks in one tap with three levels, saves the tap at once, then the optional follow-ups and a comment", async () => {
    const code = await closedDossier();
    const c = chat();
    const ask = await invited(code, c);
    expect(ask[0]!.text).toContain(code);
    expect(ask[0]!.choices?.map((x) => x.label)).toEqual(["Rất hài lòng", "Hài lòng", "Không hài lòng"]);

    const rated = await tap(c, choice(ask, "Hài lòng")!);
    expect(rated.outcome).toEqual({ kind: "rating", code, result: "rated" });
    expect(await rating(code)).toMatchObject({ overall: 2, contacts: null, comment: null }); // one tap is a rating

    const q2 = await tap(c, choice(rated.replies, "Không lần nào")!);
    expect(await rating(code)).toMatchObject({ contacts: 0 });
    const q3 = await tap(c, choice(q2.replies, "Tận tình, chu đáo")!);
    const ask4 = await tap(c, choice(q3.replies, "Thuận tiện")!);
    expect(await rating(code)).toMatchObject({ overall: 2, contacts: 0, attitude: 3, convenience: 3 });
    expect(ask4.replies[0]!.text).toContain("góp ý");

    const done = await say(c, "Cán bộ hướng dẫn rất rõ ràng, cảm ơn.");
    expect(done.replies[0]!.text).toContain("Đã ghi nhận góp ý");
    expect((await rating(code)).comment).toBe("Cán bộ hướng dẫn rất rõ ràng, cảm ơn.");
    // After the comment, the conversation is back to normal.
    expect((await say(c, "xin chào")).outcome.kind).toBe("greeting");
  });

  it("a second rating of the same dossier is refused politely, with the rating on record", async () => {
    const code = await closedDossier();
    const c = chat();
    const ask = await invited(code, c);
    await tap(c, choice(ask, "Rất hài lòng")!);
    const again = await tap(c, choice(ask, "Không hài lòng")!);
    expect(again.outcome).toMatchObject({ kind: "rating", result: "already_rated" });
    expect(again.replies[0]!.text).toMatch(new RegExp(`Hồ sơ ${code.replace(/\./g, "\\.")} đã được đánh giá \\(Rất hài lòng, ngày \\d\\d/\\d\\d/\\d{4}\\)`));
    expect((await rating(code)).overall).toBe(3);
  });

  it("'Không hài lòng' invites a comment and files it as a complaint with a reference number", async () => {
    const code = await closedDossier();
    const c = chat();
    const ask = await invited(code, c);
    const rated = await tap(c, choice(ask, "Không hài lòng")!);
    const comment = await tap(c, choice(rated.replies, "Bỏ qua")!); // skip the follow-ups
    expect(comment.replies[0]!.text).toContain("rất tiếc");
    const offered = await say(c, "Tôi phải đi lại 3 lần, gọi 0905123456 không ai nghe.");
    expect(offered.replies[0]!.text).toContain("gửi nội dung này thành phản ánh");
    const filed = await tap(c, choice(offered.replies, "Gửi phản ánh")!);
    expect(filed.outcome).toMatchObject({ kind: "rating", result: "complaint" });
    const ref = /số (PA-\d{6}-\d{4})/.exec(filed.replies[0]!.text)?.[1];
    expect(ref).toBeDefined();
    const complaint = (await ctx.db.pool.query("select dossier_code, status, comment from complaints where ref = $1", [ref])).rows[0];
    expect(complaint).toMatchObject({ dossier_code: code, status: "new" });
    expect(complaint.comment).toContain("đi lại 3 lần");
  });

  it("a payload with a made-up token, or the right token from another chat, is a stale choice", async () => {
    const code = await closedDossier();
    const ask = await invited(code, chat());
    const stranger = chat();
    expect((await tap(stranger, choice(ask, "Hài lòng")!)).outcome).toMatchObject({ kind: "rating", result: "stale" });
    expect((await tap(stranger, "rt:AAAAAAAAAAAAAAAAAAAA:3")).outcome).toMatchObject({ kind: "rating", result: "stale" });
    expect(await rating(code)).toBeUndefined();
  });

  it("the citizen can start it themselves: 'đánh giá hồ sơ <mã>' → verify → rate", async () => {
    const c = chat();
    const first = await say(c, `danh gia ho so ${CLOSED.code}`);
    expect(first.replies[0]!.text).toContain("xác minh");
    const verified = await say(c, CLOSED.digits);
    const rate = choice(verified.replies, "Đánh giá hồ sơ này");
    expect(rate).toMatch(/^rate:/);
    const ask = await tap(c, rate!);
    expect(ask.outcome).toMatchObject({ kind: "rating", result: "asked" });
    await tap(c, choice(ask.replies, "Rất hài lòng")!);
    expect((await rating(CLOSED.code)).overall).toBe(3);
    // Verified already: asking again answers with the rating on record.
    expect((await say(c, `đánh giá hồ sơ ${CLOSED.code}`)).outcome).toMatchObject({ kind: "rating", result: "already_rated" });
  });

  it("a 'rate this dossier' button from another chat (never verified here) asks to verify first", async () => {
    const step = await tap(chat(), `rate:${CLOSED.code}`);
    expect(step.outcome).toMatchObject({ kind: "rating", result: "stale" });
    expect(step.replies[0]!.text).toContain("xác minh");
    expect(step.replies[0]!.text).toContain("đánh giá hồ sơ <mã hồ sơ>");
  });

  it("a dossier still in progress cannot be rated yet", async () => {
    const c = chat();
    await say(c, `tra cứu hồ sơ ${OPEN.code}`);
    await say(c, OPEN.digits);
    const step = await say(c, `đánh giá hồ sơ ${OPEN.code}`);
    expect(step.outcome).toMatchObject({ kind: "rating", result: "not_closed" });
    expect(step.replies[0]!.text).toContain("chưa được giải quyết xong");
  });

  it("a closure with a subscriber sends the request through the queue to the chat page's inbox", async () => {
    const c = chat();
    // Subscribed before closure: a fresh dossier, closed after the subscription.
    const open = `000.00.05.H48-251102-0001`;
    await parts.dossiers.ingest([{ id: `rq-${open}-1`, dossierCode: open, occurredAt: new Date(Date.now() - 3_600_000), status: 4, procedureName: "Đăng ký kết hôn", phone: "0905123456" }]);
    await parts.dossiers.subscribe(open, "web", c);
    const inbox = createWebInbox(ctx.db.pool);
    const notifications = await startNotifications({
      db: ctx.db,
      log,
      senders: [inbox.sender],
      compose: parts.composeNotification,
      ratingRequests: parts.ratingRequests,
      ratingDelayMs: 0,
      quietHours: { start: 0, end: 0 },
      sweepIntervalMs: 200,
      queue: { pollingIntervalSeconds: 0.5 },
    });
    try {
      await parts.dossiers.ingest([{ id: `rq-${open}-2`, dossierCode: open, occurredAt: new Date(), status: 9 }]);
      notifications.kick();
      let pushed: Reply[] = [];
      for (let i = 0; i < 150 && !pushed.some((r) => r.choices?.some((x) => x.label === "Rất hài lòng")); i++) {
        pushed = [...pushed, ...(await inbox.take(c)).flat()];
        await new Promise((r) => setTimeout(r, 100));
      }
      const ask = pushed.find((r) => r.choices?.some((x) => x.label === "Rất hài lòng"));
      expect(ask?.text).toContain(open);
      await tap(c, ask!.choices![0]!.id);
      expect((await rating(open)).overall).toBe(3);
      expect((await ctx.db.pool.query("select sent_at is not null as sent from rating_requests where dossier_code = $1", [open])).rows[0].sent).toBe(true);
    } finally {
      await notifications.stop();
    }
  });

  it("questions the assistant could not answer are counted for the catalogue team, numbers masked", async () => {
    const c = chat();
    await say(c, "thủ tục cấp phép nuôi rồng, số tôi 0912345678");
    await say(c, "Thủ tục cấp phép nuôi rồng, số tôi 0912345678!");
    const rows = (await ctx.db.pool.query("select example, count from unanswered_questions where key like '%nuoi rong%'")).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].count).toBe(2);
    expect(rows[0].example).not.toContain("0912345678");
    expect(rows[0].example).toContain("678");
  });
});
