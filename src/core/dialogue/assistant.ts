import type { ConversationStore, UnansweredLog } from "../ports.ts";
import { InboundMessage, MAX_INBOUND_CHARS, type Assistant, type Reply } from "./messages.ts";
import { render } from "./templates.ts";
import { takeTurn, type TurnDeps, type TurnResult } from "./turn.ts";

export interface AssistantDeps extends TurnDeps {
  conversations: ConversationStore;
  /** Where questions the assistant could not answer are counted, for the catalogue team. */
  unanswered?: UnansweredLog;
  /** Told about failures (logged by the caller with its context); the citizen gets a polite reply. */
  onError?: (error: unknown, message: InboundMessage) => void;
}

export interface DetailedAssistant extends Assistant {
  /** The same path as `handle`, with what the turn decided (for eval, `ask` and tests). */
  handleDetailed(message: InboundMessage): Promise<TurnResult>;
}

/**
 * The assistant every channel calls: validates the message, loads the conversation, takes the turn,
 * saves the new state (retrying once if another turn of the same chat saved first), and answers.
 * It never throws: broken infrastructure becomes a fixed, polite reply.
 */
export function createAssistant(deps: AssistantDeps): DetailedAssistant {
  async function handleDetailed(input: InboundMessage): Promise<TurnResult> {
    // A channel should cut long text itself; if one did not, cut here rather than refuse.
    const bounded = typeof input.text === "string" && input.text.length > MAX_INBOUND_CHARS ? { ...input, text: input.text.slice(0, MAX_INBOUND_CHARS) } : input;
    const parsed = InboundMessage.safeParse(bounded);
    if (!parsed.success) {
      return { replies: [{ text: render(deps.templates, "empty") }], state: {}, outcome: { kind: "empty" } };
    }
    const message = parsed.data;
    try {
      for (let attempt = 0; ; attempt++) {
        const { state, version } = await deps.conversations.load(message.channel, message.chatId);
        const result = await takeTurn(deps, message, state);
        if (attempt === 0 && result.outcome.kind === "abstain" && message.text && deps.unanswered) {
          await deps.unanswered.record(message.text, message.receivedAt).catch((error: unknown) => deps.onError?.(error, message));
        }
        // Nothing to remember changed (a greeting, a follow-up on the same procedure): no write. The
        // conversation's 24-hour expiry then counts from its last change, not its last message.
        if (JSON.stringify(result.state) === JSON.stringify(state)) return result;
        if (await deps.conversations.save(message.channel, message.chatId, result.state, version)) return result;
        if (attempt >= 1) return result; // two concurrent turns of one chat: answer anyway, keep the other's state
      }
    } catch (error) {
      deps.onError?.(error, message);
      const reply: Reply = { text: render(deps.templates, "unavailable") };
      return { replies: [reply], state: {}, outcome: { kind: "empty" } };
    }
  }
  return {
    handleDetailed,
    async handle(message) {
      const { replies } = await handleDetailed(message);
      return { replies };
    },
  };
}
