/**
 * The browser side of the web chat, served as /chat.js (plain ES2020, no build step).
 *
 * Rules it keeps: reply text is rendered with text nodes only (never innerHTML), links open only
 * http(s) addresses, and the session id lives in sessionStorage (in memory if storage is blocked).
 * When the page names an inbox (data-inbox on the log), replies pushed to the session (status
 * notifications) are fetched every few seconds while the tab is visible, and rendered like answers.
 * Written with String.raw so "\n" in the source stays an escape for the browser; it therefore
 * must not contain backticks or "${".
 */
export const CHAT_SCRIPT = String.raw`(() => {
  "use strict";

  const API = "/api/v1/chat";
  const SESSION_KEY = "tthc.chat.sessionId";
  const SESSION_RE = /^[A-Za-z0-9_-]{16,64}$/;
  const BUSY_TEXT = "Đang trả lời…";
  const ERROR_TEXT = "Xin lỗi, hệ thống đang bận. Vui lòng thử lại sau ít phút.";
  const TIMEOUT_MS = 60000;
  const POLL_MS = 5000;

  const form = document.getElementById("chat-form");
  const input = document.getElementById("chat-input");
  const sendButton = document.getElementById("chat-send");
  const log = document.getElementById("chat-log");
  if (!form || !input || !sendButton || !log) return;

  function newSessionId() {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    const bytes = new Uint8Array(24);
    crypto.getRandomValues(bytes);
    let id = "";
    for (const b of bytes) id += alphabet[b & 63];
    return id;
  }

  let memorySessionId = null;
  /** The session id if this tab already has one; polling never creates one. */
  function existingSessionId() {
    try {
      const id = window.sessionStorage.getItem(SESSION_KEY);
      if (id && SESSION_RE.test(id)) return id;
    } catch (_) {
      // storage blocked: the in-memory id, if any
    }
    return memorySessionId;
  }

  function sessionId() {
    try {
      let id = window.sessionStorage.getItem(SESSION_KEY);
      if (id && SESSION_RE.test(id)) return id;
      id = newSessionId();
      window.sessionStorage.setItem(SESSION_KEY, id);
      return id;
    } catch (_) {
      if (!memorySessionId) memorySessionId = newSessionId();
      return memorySessionId;
    }
  }

  /** Appends text as paragraphs (blank line) and line breaks (single newline): text nodes only. */
  function appendText(el, text) {
    const blocks = String(text == null ? "" : text).replace(/\r\n?/g, "\n").split(/\n[ \t]*\n/);
    for (const block of blocks) {
      if (!block.trim()) continue;
      const p = document.createElement("p");
      block.split("\n").forEach((line, i) => {
        if (i > 0) p.appendChild(document.createElement("br"));
        p.appendChild(document.createTextNode(line));
      });
      el.appendChild(p);
    }
  }

  function addBubble(className, text) {
    const el = document.createElement("div");
    el.className = "msg " + className;
    if (text !== undefined) appendText(el, text);
    log.appendChild(el);
    return el;
  }

  function safeHref(url) {
    try {
      const u = new URL(String(url), window.location.href);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  function renderReply(reply) {
    if (!reply || typeof reply !== "object") return null;
    const el = addBubble("bot");
    el.setAttribute("data-testid", "reply");
    appendText(el, typeof reply.text === "string" ? reply.text : "");

    const link = reply.link;
    const href = link && typeof link === "object" ? safeHref(link.url) : null;
    if (href) {
      const p = document.createElement("p");
      p.className = "link";
      const a = document.createElement("a");
      a.href = href;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      a.textContent = typeof link.label === "string" && link.label.trim() ? link.label : href;
      const hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " (mở trong thẻ mới)";
      a.appendChild(hint);
      p.appendChild(a);
      el.appendChild(p);
    }

    const choices = Array.isArray(reply.choices)
      ? reply.choices.filter((c) => c && typeof c.id === "string" && typeof c.label === "string")
      : [];
    if (choices.length) {
      const group = document.createElement("div");
      group.className = "choices";
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Các lựa chọn");
      for (const choice of choices) {
        const button = document.createElement("button");
        button.type = "button";
        button.setAttribute("data-testid", "choice");
        button.textContent = choice.label;
        button.addEventListener("click", () => {
          send({ action: choice.id }, choice.label);
        });
        group.appendChild(button);
      }
      el.appendChild(group);
    }
    return el;
  }

  let busy = false;

  async function send(payload, shownText) {
    if (busy) return false;
    busy = true;
    sendButton.disabled = true;
    addBubble("user", shownText);
    const pending = addBubble("bot pending", BUSY_TEXT);
    pending.scrollIntoView({ block: "nearest" });

    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
    let ok = false;
    try {
      const response = await fetch(API, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(Object.assign({ sessionId: sessionId() }, payload)),
        credentials: "same-origin",
        cache: "no-store",
        signal: controller.signal,
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const data = await response.json();
      if (!data || !Array.isArray(data.replies)) throw new Error("unexpected response");
      pending.remove();
      let first = null;
      for (const reply of data.replies) {
        const el = renderReply(reply);
        if (!first) first = el;
      }
      if (first) first.scrollIntoView({ block: "nearest" });
      ok = true;
    } catch (_) {
      pending.remove();
      const el = addBubble("bot error", ERROR_TEXT);
      el.setAttribute("data-testid", "error");
      el.scrollIntoView({ block: "nearest" });
    } finally {
      clearTimeout(timer);
      busy = false;
      sendButton.disabled = false;
    }
    return ok;
  }

  const inboxUrl = log.getAttribute("data-inbox");
  let polling = false;

  async function poll() {
    if (!inboxUrl || polling || document.visibilityState !== "visible") return;
    const id = existingSessionId();
    if (!id) return;
    polling = true;
    try {
      const response = await fetch(inboxUrl + "?sessionId=" + encodeURIComponent(id), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (!response.ok) return;
      const data = await response.json();
      if (!data || !Array.isArray(data.replies)) return;
      let first = null;
      for (const reply of data.replies) {
        const el = renderReply(reply);
        if (el) el.setAttribute("data-pushed", "true");
        if (!first) first = el;
      }
      if (first) first.scrollIntoView({ block: "nearest" });
    } catch (_) {
      // Offline or busy: the next poll asks again; nothing is lost (the server keeps undelivered pushes).
    } finally {
      polling = false;
    }
  }

  if (inboxUrl) {
    setInterval(poll, POLL_MS);
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") poll();
    });
    poll();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) {
      input.focus();
      return;
    }
    input.value = "";
    const ok = await send({ text }, text);
    // Give the question back on failure so the citizen need not type it again.
    if (!ok && !input.value) input.value = text;
  });
})();
`;
