import { GovernorError } from "@governor/errors";
import type { AuditRecord } from "@governor/observability";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { getConfig } from "@langchain/langgraph";

/** One model answer as the "model" audit record kept it. */
export interface RecordedModelOutput {
  readonly node: string;
  /** Its place among the node's answers, from 0. */
  readonly turn: number;
  readonly text: string;
  /** False when the record kept no text (a memory extraction's answer): the replay cannot give it. */
  readonly recorded: boolean;
  readonly toolCalls: readonly { readonly id?: string; readonly tool: string; readonly args: unknown }[];
  readonly model?: string;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
}

/** The model outputs of a run, read from its "model" audit records in chain order. */
export function recordedModelOutputs(records: readonly AuditRecord[]): RecordedModelOutput[] {
  const turns = new Map<string, number>();
  return records
    .filter((record) => record.kind === "model" && record.node)
    .map((record) => {
      const node = record.node as string;
      const turn = turns.get(node) ?? 0;
      turns.set(node, turn + 1);
      const data = record.data as {
        text?: unknown;
        toolCalls?: unknown;
        model?: unknown;
        usage?: { inputTokens?: unknown; outputTokens?: unknown };
      };
      return {
        node,
        turn,
        text: typeof data.text === "string" ? data.text : "",
        recorded: typeof data.text === "string",
        toolCalls: Array.isArray(data.toolCalls) ? (data.toolCalls as RecordedModelOutput["toolCalls"]) : [],
        model: typeof data.model === "string" ? data.model : undefined,
        inputTokens: typeof data.usage?.inputTokens === "number" ? data.usage.inputTokens : undefined,
        outputTokens: typeof data.usage?.outputTokens === "number" ? data.usage.outputTokens : undefined,
      };
    });
}

interface ReplayCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
}

/**
 * A chat model that answers with a recorded run's model outputs, never calling a model: each
 * step gets its own next recorded answer, with the tool calls, the token usage and the model
 * name the original reported (so budgets and costs count as they did).
 *
 * The step is LangGraph's node of the call; a step whose node names no recorded output (an
 * agent turn recorded under another name) takes the next unused output in chain order.
 *
 * Records keep what the audit journal kept: text cut at 2,000 characters and personal data
 * masked. A call whose arguments were masked replays with the masked values, and shows as a
 * different decision rather than a silent match.
 */
export class ReplayChatModel extends BaseChatModel<ReplayCallOptions> {
  /** The name model steps report when the record names none. */
  readonly model = "replay";
  /** How many answers were asked for: what a test counts to see no model was called. */
  calls = 0;
  /** The first step that asked for an answer the original never gave, when one did. */
  missing?: {
    readonly node: string;
    readonly turn: number;
    readonly why: string;
    /** The original gave this answer but the record kept none (rather than: the original never asked). */
    readonly unrecorded: boolean;
  };
  readonly #outputs: readonly RecordedModelOutput[];
  readonly #used = new Set<RecordedModelOutput>();

  constructor(outputs: readonly RecordedModelOutput[]) {
    super({});
    this.#outputs = outputs;
  }

  _llmType(): string {
    return "governor-replay";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ReplayCallOptions>) {
    return this.withConfig({ tools, ...kwargs });
  }

  /** @throws {GovernorError} REPLAY_UNAVAILABLE when the step has no recorded answer left. */
  async _generate(
    _messages: BaseMessage[],
    _options: this["ParsedCallOptions"],
    _runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    this.calls++;
    const node = currentNode();
    const output = this.#next(node);
    if (!output?.recorded) {
      const turn =
        output?.turn ?? this.#outputs.filter((item) => item.node === node && this.#used.has(item)).length;
      const why = output
        ? "the record kept no text for it (a memory extraction's answer is not recorded)"
        : "the replay asked the model more than the original did";
      this.missing ??= { node: node ?? "(unknown step)", turn, why, unrecorded: output !== undefined };
      throw new GovernorError(
        "REPLAY_UNAVAILABLE",
        `The recorded run has no model output for step ${node ?? "(unknown)"} turn ${turn + 1}: ${why}`,
        { node, turn },
      );
    }
    this.#used.add(output);
    const message = new AIMessage({
      content: output.text,
      tool_calls: output.toolCalls.map((call, index) => ({
        id: call.id ?? `replay_${output.node}_${output.turn}_${index}`,
        name: call.tool,
        args: (call.args ?? {}) as Record<string, unknown>,
        type: "tool_call" as const,
      })),
      response_metadata: output.model ? { model_name: output.model } : {},
    });
    if (output.inputTokens !== undefined && output.outputTokens !== undefined) {
      message.usage_metadata = {
        input_tokens: output.inputTokens,
        output_tokens: output.outputTokens,
        total_tokens: output.inputTokens + output.outputTokens,
      };
    }
    return { generations: [{ text: output.text, message }] };
  }

  /** Whether every recorded output was asked for. */
  get exhausted(): boolean {
    return this.#used.size === this.#outputs.length;
  }

  #next(node: string | undefined): RecordedModelOutput | undefined {
    const unused = this.#outputs.filter((item) => !this.#used.has(item));
    if (node && this.#outputs.some((item) => item.node === node)) {
      return unused.find((item) => item.node === node);
    }
    return unused[0];
  }
}

/** The LangGraph node this model call runs in, when it runs in one. */
function currentNode(): string | undefined {
  try {
    const node = getConfig()?.metadata?.langgraph_node;
    return typeof node === "string" ? node : undefined;
  } catch {
    return undefined;
  }
}
