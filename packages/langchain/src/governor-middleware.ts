import {
  type GovernedToolsOptions,
  GovernorError,
  MemoryApprovalUseLedger,
  requirePrecondition,
  ToolCallGovernor,
  turnOf,
} from "@governor/core";
import { type BaseMessage, isBaseMessage, ToolMessage } from "@langchain/core/messages";
import { createMiddleware } from "langchain";

/** The node createAgent runs tools in: Governor's records and approval requests name it. */
const TOOLS_NODE = "tools";

/** How the middleware governs: as a governed ToolNode does, for createAgent's tools. */
export type GovernorMiddlewareOptions<TState = Record<string, unknown>> = Omit<
  GovernedToolsOptions<TState>,
  "name"
>;

/**
 * Governor as a LangChain `createAgent` middleware: `wrapToolCall` sends every tool call the
 * agent makes through Governor's one governed path (scopes, zod contract, precondition,
 * policy with its facts, signed human approval when the policy asks for one, exactly-once
 * execution behind the effect journal, audit). A refusal is a tool message with status
 * "error" that the model reads; the tool never runs for it.
 *
 * createAgent runs each tool call as its own task (`Send`), so each call that needs a human
 * is its own interrupt (an `ApprovalBatch` of one request). Several can be pending at once;
 * resume each by its interrupt id (`new Command({ resume: { [id]: { token } } })`). A
 * decision is bound to its call's hash and request id, so one routed to the wrong interrupt
 * decides nothing: that call asks again.
 *
 * A tool of the agent with no entry in `govern` is refused at its first call (audited), not
 * run: Governor cannot decide a call to a tool whose scopes and risk it does not know.
 *
 * @throws {GovernorError} CONFIG_INVALID when a write tool has no precondition; at a tool's
 *   first call, when it has no zod schema or no journals are given.
 * @example
 * const agent = createAgent({
 *   model, tools: [search, postMessage], checkpointer,
 *   middleware: [governorMiddleware({
 *     store: new GovernorStore(".governor"), policy, approvers,
 *     agent: { id: "weather", scopes: ["web:search", "chat:post"] },
 *     govern: {
 *       search: { scopes: ["web:search"], risk: "read" },
 *       post_message: { scopes: ["chat:post"], risk: "write", sufficient: { reason: "policy decides each post" } },
 *     },
 *   })],
 * });
 */
export function governorMiddleware<TState = Record<string, unknown>>(
  typedOptions: GovernorMiddlewareOptions<TState>,
) {
  // The agent's state reaches the callbacks as createAgent passes it: typed by the caller.
  const options = typedOptions as unknown as GovernorMiddlewareOptions;
  // What can be checked before the agent's tools are seen is checked now, not at the first call.
  for (const [name, facts] of Object.entries(options.govern)) requirePrecondition(name, facts);
  // One replay ledger for every tool, unless the store brings its own (which outlives the process).
  const approvalUses =
    options.approvalUses ?? options.store?.graphServices().approvalUses ?? new MemoryApprovalUseLedger();
  const governors = new Map<string, ToolCallGovernor>();
  const governorFor = (tool: { name: string; description?: string; schema?: unknown }) => {
    let governor = governors.get(tool.name);
    if (!governor) {
      // Built at the tool's first call: createAgent hands the middleware its tools one call at a time.
      const govern = Object.hasOwn(options.govern, tool.name)
        ? { [tool.name]: options.govern[tool.name] }
        : {};
      governor = new ToolCallGovernor(Object.keys(govern).length ? [tool] : [], {
        ...options,
        govern: govern as GovernedToolsOptions["govern"],
        approvalUses,
      });
      governors.set(tool.name, governor);
    }
    return governor;
  };

  return createMiddleware({
    name: "GovernorMiddleware",
    wrapToolCall: async (request, handler) => {
      const { toolCall } = request;
      // A provider's server-side tool has no schema Governor could parse with: it is refused as unknown.
      const known = request.tool as { name?: unknown; description?: string; schema?: unknown } | undefined;
      const governor = governorFor(
        typeof known?.name === "string" ? (known as { name: string }) : { name: toolCall.name },
      );
      const messages = (request.state as { messages: BaseMessage[] }).messages;
      const turn = turnOf({ messages, lg_tool_call: toolCall }, governor.maxCallsPerTurn);
      const [reply] = await governor.answer({
        turn,
        state: request.state as Record<string, unknown>,
        config: { configurable: request.runtime.configurable },
        node: TOOLS_NODE,
        invoke: async (_call, args) => {
          const output = await handler({ ...request, toolCall: { ...toolCall, args } });
          if (!isBaseMessage(output)) {
            throw new GovernorError(
              "CONFIG_INVALID",
              `Tool ${toolCall.name} answered with a Command; Governor records tool results as data and cannot replay a Command`,
              { tool: toolCall.name },
            );
          }
          const message = output as ToolMessage;
          // A tool error is a failed call, recorded as such: never a result to read back as a success.
          if (message.status === "error") throw new Error(String(message.content));
          return message.content;
        },
      });
      return (
        reply ??
        new ToolMessage({
          tool_call_id: toolCall.id ?? "",
          name: toolCall.name,
          content: "Refused: the call was not answered",
          status: "error",
        })
      );
    },
  });
}
