import { type BaseMessage, isBaseMessage, type ToolMessage } from "@langchain/core/messages";
import type { ToolCall } from "@langchain/core/messages/tool";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import type { GovernedToolsOptions } from "./governed-tools-options.js";
import { type CallInvoker, ToolCallGovernor } from "./tool-call-governor.js";
import { type ToolNodeInput, type TurnCall, turnOf } from "./turn-calls.js";

/**
 * LangGraph's `ToolNode`, governed: every call it receives goes through Governor's gateway
 * (scopes, contract, precondition, policy, approval, exactly-once execution, audit) before
 * the tool runs, and a refusal comes back to the model as a tool error.
 *
 * Both ways a ToolNode runs are overridden: `run` (every pending call of the newest AI
 * message, or the one call a `Send` carries) and `runTool`, so no path reaches a tool
 * without the governor.
 */
// biome-ignore lint/suspicious/noExplicitAny: the same open state type as LangGraph's ToolNode.
export class GovernedToolNode<T = any> extends ToolNode<T> {
  readonly governor: ToolCallGovernor;
  readonly #node: string | undefined;

  /**
   * @throws {GovernorError} CONFIG_INVALID when a tool has no `govern` entry or no zod schema,
   *   a write tool has no precondition, or no journals are given.
   */
  constructor(tools: StructuredToolInterface[], options: GovernedToolsOptions) {
    super(tools, { name: options.name ?? "tools", handleToolErrors: true });
    this.governor = new ToolCallGovernor(tools, options);
    this.#node = options.name;
  }

  protected override async run(input: unknown, config: LangGraphRunnableConfig): Promise<T> {
    const messages = await this.#answer(input as ToolNodeInput, config);
    return (Array.isArray(input) ? messages : { messages }) as T;
  }

  protected override async runTool(
    call: ToolCall,
    config: LangGraphRunnableConfig,
    state: unknown,
  ): Promise<ToolMessage> {
    const input = { ...(state as { messages: [] }), lg_tool_call: call };
    const [reply] = await this.#answer(input, config);
    return reply as ToolMessage;
  }

  #answer(input: ToolNodeInput, config: LangGraphRunnableConfig): Promise<ToolMessage[]> {
    const turn = turnOf(input, this.governor.maxCallsPerTurn);
    const state = isMessageList(input) ? { messages: input } : withoutSentCall(input);
    return this.governor.answer({
      turn,
      state,
      config,
      // The graph's own name for this node, so keys and requests are the same on every re-run.
      node: this.#node ?? (config.metadata?.langgraph_node as string | undefined) ?? "tools",
      invoke: this.#invoker(config, state),
    });
  }

  /** Invokes the LangChain tool as ToolNode does (its runtime: state, tool-call id, config), with parsed arguments. */
  #invoker(config: LangGraphRunnableConfig, state: unknown): CallInvoker {
    return async (call: TurnCall, args, signal) => {
      const tool = this.tools.find((candidate) => candidate.name === call.toolCall.name);
      if (!tool) throw new Error(`Tool "${call.toolCall.name}" not found.`);
      const runtime = {
        ...config,
        state,
        toolCallId: call.toolCall.id,
        config,
        context: (config as { context?: unknown }).context,
        store: config.store ?? null,
        writer: config.writer ?? null,
        signal: config.signal ? AbortSignal.any([config.signal, signal]) : signal,
      };
      const output: unknown = await tool.invoke(args, runtime);
      // A tool that answers with its own message: its content is the result.
      return isBaseMessage(output) ? output.content : output;
    };
  }
}

function isMessageList(input: ToolNodeInput): input is readonly BaseMessage[] {
  return Array.isArray(input);
}

function withoutSentCall(input: Exclude<ToolNodeInput, readonly BaseMessage[]>) {
  const { lg_tool_call: _sent, ...state } = input;
  return state;
}

/**
 * A governed drop-in for LangGraph's `ToolNode`: pass it where the ToolNode went, in a
 * hand-written `StateGraph` or as `tools` of `createReactAgent`.
 *
 * @throws {GovernorError} CONFIG_INVALID when a tool has no `govern` entry or no zod schema,
 *   a write tool has no precondition, or no journals are given.
 * @example
 * const tools = governedToolNode([getWeather, bookFlight], {
 *   store: new GovernorStore(".governor"),
 *   policy: new RulePolicyEngine(rules),
 *   agent: { id: "travel", scopes: ["weather:read", "flights:book"] },
 *   approvers: identity,
 *   govern: {
 *     get_weather: { scopes: ["weather:read"], risk: "read" },
 *     book_flight: { scopes: ["flights:book"], risk: "write", sufficient: { reason: "policy caps the fare" } },
 *   },
 * });
 * const agent = createReactAgent({ llm, tools, checkpointer });
 */
export function governedToolNode<TState = Record<string, unknown>>(
  tools: StructuredToolInterface[],
  options: GovernedToolsOptions<TState>,
): GovernedToolNode {
  // The node hands the graph's state to the callbacks as it receives it: typed by the caller.
  return new GovernedToolNode(tools, options as unknown as GovernedToolsOptions);
}
