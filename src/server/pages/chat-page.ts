import { pageWithScript } from "../html.ts";

/** Where the browser script is served; the page loads it (CSP forbids inline script). */
export const CHAT_SCRIPT_PATH = "/chat.js";

/** Where the page polls for pushed replies, when the server has an inbox. */
export const CHAT_INBOX_PATH = "/api/v1/chat/inbox";

/** Chat-only styles, appended to the shared frame's CSS. Mobile-first: fits 320–360 px screens. */
const CHAT_CSS = `  .chat { display: flex; flex-direction: column; min-height: calc(100vh - 5.5rem); min-height: calc(100dvh - 5.5rem); }
  .chat :focus-visible { box-shadow: 0 0 0 2px #1b1b1b; }
  .chat h1 { font-size: 1.4rem; margin: 0 0 0.25rem; }
  .intro { margin: 0 0 0.75rem; color: var(--muted); }
  #chat-log { flex: 1 0 auto; display: flex; flex-direction: column; gap: 0.6rem; padding: 0.25rem 0 1rem; }
  .msg { max-width: 88%; padding: 0.55rem 0.8rem; border: 1px solid var(--line); border-radius: 14px; overflow-wrap: anywhere; scroll-margin: 1rem 0 7rem; }
  .msg p { margin: 0; }
  .msg p + p { margin-top: 0.5rem; }
  .msg.user { align-self: flex-end; background: #fbeceb; border-color: #e3c1bf; border-bottom-right-radius: 4px; }
  .msg.bot { align-self: flex-start; background: #f3f4f6; border-bottom-left-radius: 4px; }
  .msg.pending { color: var(--muted); font-style: italic; }
  .msg.error { background: #fff4e5; border-color: #b35c00; }
  .msg .link { margin-top: 0.5rem; }
  .msg .choices { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.6rem; }
  .msg .choices button { background: #fff; color: var(--brand); border: 1px solid var(--brand); padding: 0.45rem 0.8rem; min-height: 44px; text-align: left; }
  .msg .choices button:hover { background: #fbeceb; }
  form.composer { position: sticky; bottom: 0; display: block; margin: 0 -1rem; padding: 0.5rem 1rem calc(1rem + env(safe-area-inset-bottom, 0px)); background: #fff; border-top: 1px solid var(--line); }
  form.composer label { display: block; font-weight: 600; margin-bottom: 0.25rem; }
  form.composer .row { display: flex; gap: 0.5rem; }
  form.composer input { flex: 1 1 auto; min-width: 0; font: inherit; padding: 0.6rem; border: 1px solid #767676; border-radius: 4px; }
  form.composer button { flex: 0 0 auto; min-height: 44px; }
  form.composer button:disabled { background: #767676; cursor: wait; }
`;

/**
 * The web chat: a log of messages and a composer. Everything dynamic is done by /chat.js, which
 * renders replies as text only. Without JavaScript the page says so and points to the catalogue.
 */
export function renderChatPage(options: { inbox?: boolean } = {}): string {
  return pageWithScript(
    "Hỏi đáp thủ tục hành chính",
    `<div class="chat">
<h1>Hỏi đáp thủ tục hành chính</h1>
<p class="intro">Trợ lý trả lời tự động, dựa trên danh mục thủ tục. <a href="/thu-tuc">Xem danh mục thủ tục</a></p>
<noscript><p role="alert">Trang trò chuyện cần bật JavaScript. Bạn vẫn có thể tra cứu trong <a href="/thu-tuc">danh mục thủ tục hành chính</a>.</p></noscript>
<div id="chat-log" role="log" aria-live="polite" aria-label="Cuộc trò chuyện"${options.inbox ? ` data-inbox="${CHAT_INBOX_PATH}"` : ""}>
  <div class="msg bot welcome">
    <p>Xin chào! Bạn có thể hỏi tôi cách làm một thủ tục hành chính: cần giấy tờ gì, lệ phí bao nhiêu, thời hạn giải quyết, nộp ở đâu, nộp trực tuyến hay qua bưu điện. Tôi cũng giúp tra cứu tình trạng hồ sơ.</p>
    <p>Ví dụ: “Làm giấy khai sinh cho con cần những giấy tờ gì?”</p>
  </div>
</div>
<form id="chat-form" class="composer" autocomplete="off">
  <label for="chat-input">Câu hỏi của bạn</label>
  <div class="row">
    <input type="text" id="chat-input" maxlength="2000" enterkeyhint="send" placeholder="Nhập câu hỏi…">
    <button type="submit" id="chat-send">Gửi</button>
  </div>
</form>
</div>`,
    CHAT_SCRIPT_PATH,
    CHAT_CSS,
  );
}
