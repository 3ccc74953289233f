import { hashOf } from "@governor/observability";
import type { BaseMessage } from "@langchain/core/messages";
import type { ToolCall } from "@langchain/core/messages/tool";

/** One tool call of a model turn, with the ids Governor binds its decisions to. */
export interface TurnCall {
  readonly toolCall: ToolCall & { readonly id: string };
  /**
   * The call's id in Governor's records: the turn's id and the tool-call id. Models that
   * number their calls `call_0`, `call_1` every turn would otherwise make a later turn's call
   * look like an earlier one (same audit records, same approval, a replayed result).
   */
  readonly callId: string;
  /** A number unique to the call in its run, part of its idempotency key (see `turnCallIndex`). */
  readonly callIndex: number;
}

/** A tool call that is refused before any control looks at it, and why. */
export interface MalformedCall {
  readonly toolCall: ToolCall;
  readonly reason: string;
}

/** The calls a governed tool node must answer in this run of the node. */
export interface Turn {
  /** The AI message's id, which every re-run of the node reads alike from the checkpoint. */
  readonly turnId: string;
  readonly calls: readonly TurnCall[];
  readonly malformed: readonly MalformedCall[];
}

/** The input a ToolNode receives: messages, a state with messages, or one call sent to it (`Send`). */
export type ToolNodeInput =
  | readonly BaseMessage[]
  | { readonly messages: readonly BaseMessage[]; readonly lg_tool_call?: ToolCall };

/**
 * The calls to answer: the newest AI message's calls that no tool message answers yet, or
 * the one call `Send` gave this task (createReactAgent's v2, createAgent). A call without an
 * id, a call whose id another call of the same message shares, or a call past the turn's
 * cap is malformed: a decision, an approval or a result could not be bound to it alone.
 */
export function turnOf(input: ToolNodeInput, maxCallsPerTurn: number): Turn {
  const messages = Array.isArray(input) ? input : (input as { messages: readonly BaseMessage[] }).messages;
  const sent = Array.isArray(input) ? undefined : (input as { lg_tool_call?: ToolCall }).lg_tool_call;
  const at = sent ? indexProposing(messages, sent) : lastAiIndex(messages);
  const ai = at < 0 ? undefined : messages[at];
  const proposed: readonly ToolCall[] = (ai as { tool_calls?: ToolCall[] } | undefined)?.tool_calls ?? [];
  const turnId =
    ai?.id ?? `turn-${hashOf(proposed.map(({ id, name, args }) => ({ id, name, args }))).slice(0, 24)}`;
  // Only tool messages after this AI message answer its calls: a model that reuses ids
  // (`call_0` every turn) would otherwise find its new call answered by an old result.
  const answered = new Set(
    messages
      .slice(at + 1)
      .filter((message) => message.getType() === "tool")
      .map((message) => (message as { tool_call_id?: string }).tool_call_id),
  );
  const counts = new Map<string | undefined, number>();
  for (const call of proposed) counts.set(call.id, (counts.get(call.id) ?? 0) + 1);

  const calls: TurnCall[] = [];
  const malformed: MalformedCall[] = [];
  const toAnswer = sent ? [sent] : proposed.filter((call) => call.id == null || !answered.has(call.id));
  for (const toolCall of toAnswer) {
    const position = proposed.findIndex((call) => call.id === toolCall.id);
    const reason = !toolCall.id
      ? "the call has no tool-call id, so no decision or result can be bound to it"
      : !ai
        ? `no AI message in the state proposed call ${toolCall.id}`
        : (counts.get(toolCall.id) ?? 0) > 1
          ? `tool-call id ${toolCall.id} is used by ${counts.get(toolCall.id)} calls of one message; each call needs its own id`
          : position >= maxCallsPerTurn
            ? `the turn proposed ${proposed.length} calls; at most ${maxCallsPerTurn} are decided per turn`
            : undefined;
    if (reason !== undefined || !toolCall.id) {
      malformed.push({ toolCall, reason: reason ?? "the call has no tool-call id" });
      continue;
    }
    const callId = `${turnId}/${toolCall.id}`;
    calls.push({ toolCall: { ...toolCall, id: toolCall.id }, callId, callIndex: turnCallIndex(callId) });
  }
  return { turnId, calls, malformed };
}

/**
 * The call's place in its run as a number, for the idempotency key. A hand-written graph
 * keeps no running count of proposed calls, so the index is a digest of the call's id
 * (turn and tool-call id): the same on every re-run of the node, different for every call
 * (48 bits; the key also carries the arguments and node).
 */
export function turnCallIndex(callId: string): number {
  return Number.parseInt(hashOf({ callId }).slice(0, 12), 16);
}

function lastAiIndex(messages: readonly BaseMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.getType() === "ai") return i;
  }
  return -1;
}

/** The newest AI message that proposed `call` (a `Send` task carries the call, not the message). */
function indexProposing(messages: readonly BaseMessage[], call: ToolCall): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as BaseMessage & { tool_calls?: ToolCall[] };
    if (message?.getType() === "ai" && message.tool_calls?.some((proposed) => proposed.id === call.id)) {
      return i;
    }
  }
  return -1;
}
