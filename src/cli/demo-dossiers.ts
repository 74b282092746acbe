import type { DossierEvent, DossierStatus, ResultDelivery, SubmissionChannel } from "../core/cases/types.ts";

/**
 * Demo dossiers: 40 deterministic dossiers (seeded PRNG) over the given procedures, covering all 10
 * statuses, late ones (appointment passed, not finished), supplement periods, one apology with a new date,
 * channels 1–3 and result deliveries. Codes and event ids are fixed (re-seeding changes nothing); the
 * event times are relative to `now`, so "late" means late today. Codes' date segments are fixed so the
 * README stays true; they need not match the reception date shown.
 *
 * Every demo phone number is `0912 xxx xxx`; the last 4 digits (the verification factor) of each dossier
 * are in `demoDossiers()` and printed by `npm run seed:demo`.
 */

export interface DemoTry {
  code: string;
  /** Last 4 digits of the phone on the dossier. */
  digits: string;
  shows: string;
}

/** Three codes to try in the chat, with their factors and what they show (README). */
export const DEMO_TRY: readonly DemoTry[] = [
  { code: "000.00.12.H29-250312-0042", digits: "5678", shows: "đang xử lý, quá hạn hẹn trả (not finished by the appointment: the citizen's right to an apology, feedback channel)" },
  { code: "000.20.35.H79-250318-0107", digits: "2468", shows: "yêu cầu bổ sung giấy tờ (supplement requested: what to bring; the clock is paused)" },
  { code: "000.00.05.H48-250305-0019", digits: "1357", shows: "đã trả kết quả qua bưu chính (returned by post: the satisfaction rating is offered)" },
];

const AGENCIES = [
  { agency: "H29", province: "Hà Nội", units: ["UBND phường Dịch Vọng Hậu, quận Cầu Giấy", "Trung tâm Phục vụ hành chính công quận Ba Đình", "Sở Xây dựng Hà Nội"] },
  { agency: "H79", province: "TP Hồ Chí Minh", units: ["UBND phường Bến Nghé, Quận 1", "UBND thành phố Thủ Đức", "Sở Tư pháp TP Hồ Chí Minh"] },
  { agency: "H48", province: "Đà Nẵng", units: ["UBND phường Hải Châu 1, quận Hải Châu", "Trung tâm Phục vụ hành chính công Đà Nẵng"] },
  { agency: "H31", province: "Hải Phòng", units: ["UBND phường Máy Tơ, quận Ngô Quyền", "Sở Kế hoạch và Đầu tư Hải Phòng"] },
  { agency: "H92", province: "Cần Thơ", units: ["UBND phường An Hòa, quận Ninh Kiều", "Trung tâm Phục vụ hành chính công Cần Thơ"] },
];

const VENDOR: Record<DossierStatus, string> = {
  1: "Mới đăng ký",
  2: "Đã tiếp nhận",
  3: "Không được tiếp nhận",
  4: "Đang xử lý",
  5: "Chờ bổ sung hồ sơ",
  6: "Chờ thực hiện nghĩa vụ tài chính",
  7: "Công dân rút hồ sơ",
  8: "Dừng xử lý",
  9: "Đã có kết quả",
  10: "Đã trả kết quả",
};

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Plan {
  code: string;
  digits: string;
  status: DossierStatus;
  channel: SubmissionChannel;
  delivery: ResultDelivery;
  /** Days ago it was received, and days from reception to the appointment. */
  receivedDaysAgo: number;
  termDays: number;
  late: boolean;
  supplement: boolean;
  reschedule: boolean;
  unit: string;
}

const DAY = 86_400_000;
const FIXED_STATUSES: DossierStatus[] = [1, 2, 3, 4, 4, 4, 5, 5, 6, 7, 8, 9, 9, 10, 10, 10];

/** The 40 demo dossiers as planned (code, factor digits, target status…), for printing. */
export function demoDossiers(): Plan[] {
  const rnd = prng(20250312);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const plans: Plan[] = [
    { code: DEMO_TRY[0]!.code, digits: DEMO_TRY[0]!.digits, status: 4, channel: 1, delivery: "counter", receivedDaysAgo: 20, termDays: 12, late: true, supplement: false, reschedule: false, unit: AGENCIES[0]!.units[0]! },
    { code: DEMO_TRY[1]!.code, digits: DEMO_TRY[1]!.digits, status: 5, channel: 2, delivery: "online", receivedDaysAgo: 6, termDays: 15, late: false, supplement: true, reschedule: false, unit: AGENCIES[1]!.units[2]! },
    { code: DEMO_TRY[2]!.code, digits: DEMO_TRY[2]!.digits, status: 10, channel: 3, delivery: "post", receivedDaysAgo: 18, termDays: 10, late: false, supplement: false, reschedule: false, unit: AGENCIES[2]!.units[1]! },
  ];
  const used = new Set(plans.map((p) => p.code));
  for (let i = 0; plans.length < 40; i++) {
    const a = pick(AGENCIES);
    const month = 1 + Math.floor(rnd() * 3);
    const day = 1 + Math.floor(rnd() * 28);
    const seq = 1 + Math.floor(rnd() * 300);
    const code = `000.${String(Math.floor(rnd() * 30)).padStart(2, "0")}.${String(1 + Math.floor(rnd() * 40)).padStart(2, "0")}.${a.agency}-25${String(month).padStart(2, "0")}${String(day).padStart(2, "0")}-${String(seq).padStart(4, "0")}`;
    if (used.has(code)) continue;
    used.add(code);
    const status = i < FIXED_STATUSES.length ? FIXED_STATUSES[i]! : (pick([2, 4, 4, 4, 5, 6, 9, 10, 10, 10]) as DossierStatus);
    const open = ![3, 7, 8, 9, 10].includes(status);
    plans.push({
      code,
      digits: String(Math.floor(rnd() * 10_000)).padStart(4, "0"),
      status,
      channel: (1 + Math.floor(rnd() * 3)) as SubmissionChannel,
      delivery: pick(["counter", "post", "online"] as const),
      receivedDaysAgo: 2 + Math.floor(rnd() * 30),
      termDays: 3 + Math.floor(rnd() * 15),
      late: open && status !== 1 && rnd() < 0.3,
      supplement: status === 5 || (status >= 9 && rnd() < 0.3),
      reschedule: false,
      unit: pick(a.units),
    });
  }
  // One late dossier whose agency sent the apology letter with a new date.
  const apology = plans.find((p, i) => i >= 3 && p.status === 4)!;
  apology.reschedule = true;
  apology.late = true;
  return plans;
}

/** The events of every demo dossier (dates relative to `now`), ready for `ingest`. */
export function demoEvents(procedures: { code: string; name: string }[], now: Date): DossierEvent[] {
  const rnd = prng(7);
  const events: DossierEvent[] = [];
  const fallback = [{ code: "1.001234", name: "Đăng ký khai sinh" }];
  const procs = procedures.length > 0 ? procedures : fallback;
  demoDossiers().forEach((p, n) => {
    const proc = procs[(n * 7 + Math.floor(rnd() * procs.length)) % procs.length]!;
    const t = now.getTime();
    const received = new Date(Math.floor((t - p.receivedDaysAgo * DAY) / 3_600_000) * 3_600_000 - 2 * 3_600_000);
    // Late: the appointment has passed; otherwise it is ahead (or was met, for closed dossiers).
    const term = p.late ? Math.min(p.termDays, p.receivedDaysAgo - 1) : Math.max(p.termDays, p.receivedDaysAgo + 2);
    const appointment = new Date(received.getTime() + term * DAY);
    let step = 0;
    let clock = received.getTime();
    const push = (status: DossierStatus | undefined, extra: Partial<DossierEvent> = {}) => {
      step++;
      events.push({
        id: `demo:${p.code}:${step}`,
        dossierCode: p.code,
        occurredAt: new Date(clock),
        ...(status !== undefined ? { status, vendorStatus: VENDOR[status] } : {}),
        ...extra,
      });
    };
    const advance = (days: number) => {
      clock = Math.min(clock + days * DAY, t - 3_600_000);
    };
    const first: Partial<DossierEvent> = {
      procedureCode: proc.code,
      procedureName: proc.name,
      unitName: p.unit,
      channel: p.channel,
      phone: `0912 ${String(100 + n).slice(-3)} ${p.digits}`,
      resultDelivery: p.delivery,
    };
    if (p.channel === 2 || p.status === 1 || p.status === 3) {
      push(1, { ...first });
      if (p.status === 1) return;
      advance(0.5);
      if (p.status === 3) {
        push(3, { note: "Hồ sơ không thuộc thẩm quyền giải quyết của đơn vị." });
        return;
      }
      push(2, { receivedAt: new Date(clock), appointmentAt: appointment });
    } else {
      push(2, { ...first, receivedAt: received, appointmentAt: appointment });
    }
    if (p.status === 2) return;
    advance(1);
    push(4);
    if (p.supplement) {
      const span = p.status === 5 ? 0 : 2;
      advance(1);
      const requestedAt = new Date(clock);
      push(5, { supplement: { requestedAt, items: ["Bản sao có chứng thực giấy tờ nhân thân", "Tờ khai bổ sung chữ ký của người yêu cầu"] } });
      if (p.status === 5) return;
      advance(span);
      push(4, { supplement: { requestedAt, items: [], resolvedAt: new Date(clock) } });
    }
    if (p.reschedule) {
      advance(1);
      push(undefined, {
        reschedule: { newAppointmentAt: new Date(t + 5 * DAY), reason: "Cần xác minh thêm thông tin tại địa phương nơi cư trú trước đây." },
        note: "Đã gửi phiếu xin lỗi và hẹn lại ngày trả kết quả.",
      });
    }
    if (p.status === 4) return;
    advance(1);
    if (p.status === 6) {
      push(6, { feesDue: { amount: 500_000, note: "Lệ phí trước bạ" } });
      return;
    }
    if (p.status === 7) {
      push(7, { note: "Công dân có đơn xin rút hồ sơ." });
      return;
    }
    if (p.status === 8) {
      push(8, { note: "Dừng xử lý theo đề nghị của cơ quan phối hợp." });
      return;
    }
    push(9, { finishedAt: new Date(clock) });
    if (p.status === 9) return;
    advance(1);
    push(10, { returnedAt: new Date(clock) });
  });
  return events;
}
