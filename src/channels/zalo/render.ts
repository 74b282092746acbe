import { ActionPayload, type Reply } from "../../core/dialogue/messages.ts";
import { splitText } from "../../core/text/split.ts";
import { ZALO_LIMITS, type CsMessage, type ZaloButton } from "./client.ts";
import { PAYLOAD_PREFIX } from "./inbound.ts";

/** A button's payload for an action: `#` + the core's action (short ASCII), sent back as the citizen's text. */
export function buttonPayload(action: string): string | null {
  return ActionPayload.safeParse(action).success ? `${PAYLOAD_PREFIX}${action}` : null;
}

function title(text: string): string {
  return text.length <= ZALO_LIMITS.buttonTitle ? text : `${text.slice(0, ZALO_LIMITS.buttonTitle - 1).replace(/\s+\S*$/, "")}…`;
}

function isHttpUrl(url: string): boolean {
  try {
    return /^https?:$/.test(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * The core's replies as Zalo CS messages:
 * - text split under 2,000 characters at section, then line, then sentence boundaries;
 * - choices as `oa.query.hide` buttons (the payload comes back as text, hidden from the chat), and the
 *   link as an `oa.open.url` button, on the reply's last message: 5 buttons at most;
 * - more than 5 choices: no buttons; the choices are written as a numbered list (unless the text already
 *   numbers them, as a clarification does), which the citizen answers with a number;
 * - a link that does not fit as a button is written out.
 */
export function renderReplies(replies: Reply[]): CsMessage[] {
  const out: CsMessage[] = [];
  for (const reply of replies) {
    let text = reply.text;
    const buttons: ZaloButton[] = [];
    const choices = (reply.choices ?? []).flatMap((c) => {
      const payload = buttonPayload(c.id);
      return payload ? [{ label: c.label, payload }] : [];
    });
    if (choices.length > ZALO_LIMITS.buttons) {
      const numbered = choices.every((c, i) => text.includes(`${i + 1}. ${c.label.replace(/…$/, "")}`));
      if (!numbered) text = `${text}\n\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join("\n")}`;
    } else {
      for (const c of choices) buttons.push({ type: "oa.query.hide", title: title(c.label), payload: c.payload });
    }
    const link = reply.link && isHttpUrl(reply.link.url) ? reply.link : null;
    if (link && buttons.length < ZALO_LIMITS.buttons && choices.length <= ZALO_LIMITS.buttons) {
      buttons.push({ type: "oa.open.url", title: title(link.label), payload: { url: link.url } });
    } else if (reply.link) {
      text = `${text}\n\n${reply.link.label}: ${reply.link.url}`;
    }
    const parts = splitText(text, ZALO_LIMITS.text);
    if (parts.length === 0) parts.push("…");
    parts.forEach((part, i) => out.push(i === parts.length - 1 && buttons.length > 0 ? { text: part, buttons } : { text: part }));
  }
  return out;
}
