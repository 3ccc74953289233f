import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import type { ScenarioScript, ScenarioTurn, ScenarioView, ScriptedReply } from "./scenario-script.js";
import { estimateTokens } from "./token-estimate.js";

export interface ScenarioCallOptions extends BaseChatModelCallOptions {
  tools?: BindToolsInput[];
}

/** Raised when a script has no turn for the conversation it was given. */
export class ScenarioExhaustedError extends Error {
  constructor(
    readonly script: string,
    readonly lastMessage: string,
  ) {
    super(`Scenario "${script}" has no turn for a conversation ending in: ${lastMessage.slice(0, 200)}`);
    this.name = "ScenarioExhaustedError";
  }
}

/**
 * A deterministic LangChain chat model that plays a script.
 *
 * It is the offline default: samples and tests run with no network and no key, and the
 * script can misbehave on purpose (propose an out-of-scope tool, an over-limit amount) to
 * show the controls holding. It reports token usage estimated from the text, as a real
 * endpoint would report measured usage, so budgets count the same way.
 *
 * @example
 * const model = new ScenarioChatModel(defineScenario({ name: "hi", turns: [{ reply: { text: "hello" } }] }));
 */
export class ScenarioChatModel extends BaseChatModel<ScenarioCallOptions> {
  readonly script: ScenarioScript;
  /** The name it is priced and reported under: `scenario:<script name>`. */
  readonly model: string;

  constructor(script: ScenarioScript) {
    super({});
    this.script = script;
    this.model = `scenario:${script.name}`;
  }

  _llmType(): string {
    return "governor-scenario";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScenarioCallOptions>) {
    return this.withConfig({ tools, ...kwargs });
  }

  async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    _runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const tools = (options.tools ?? []).map(toolName).filter((name): name is string => Boolean(name));
    const reply = this.#play(messages, tools);
    const turn = messages.filter((message) => message.getType() === "ai").length;
    const text = reply.text ?? "";
    const message = new AIMessage({
      content: text,
      tool_calls: (reply.toolCalls ?? []).map((call, index) => ({
        id: `call_${this.script.name}_${turn}_${index}`,
        name: call.name,
        args: call.args,
        type: "tool_call" as const,
      })),
      response_metadata: { model_name: this.model },
    });
    const input_tokens = estimateTokens(messages.map(textOf).join("\n"));
    const output_tokens = estimateTokens(text + JSON.stringify(reply.toolCalls ?? []));
    message.usage_metadata = { input_tokens, output_tokens, total_tokens: input_tokens + output_tokens };
    return { generations: [{ text, message }], llmOutput: { tokenUsage: message.usage_metadata } };
  }

  #play(messages: BaseMessage[], tools: string[]): ScriptedReply {
    const system = messages
      .filter((message) => message.getType() === "system")
      .map(textOf)
      .join("\n");
    const lastHumanMessage = [...messages].reverse().find((message) => message.getType() === "human");
    const base = {
      messages,
      system,
      lastHuman: lastHumanMessage ? textOf(lastHumanMessage) : "",
      last: messages.at(-1),
      tools,
    };
    for (const turn of this.script.turns) {
      const match = matchTurn(turn, base);
      if (match === false) continue;
      const view: ScenarioView = { ...base, match };
      return typeof turn.reply === "function" ? turn.reply(view) : turn.reply;
    }
    if (this.script.fallback) return this.script.fallback;
    throw new ScenarioExhaustedError(this.script.name, base.last ? textOf(base.last) : "(no messages)");
  }
}

/** The capture groups of the turn's patterns when every condition holds, or false. */
function matchTurn(turn: ScenarioTurn, view: Omit<ScenarioView, "match">): RegExpMatchArray | null | false {
  const when = turn.when;
  if (!when) return null;
  if (when.lastRole && view.last?.getType() !== when.lastRole) return false;
  if (when.toolsBound && !when.toolsBound.every((name) => view.tools.includes(name))) return false;
  if (when.lastToolResult) {
    if (view.last?.getType() !== "tool" || !when.lastToolResult.test(textOf(view.last))) return false;
  }
  let match: RegExpMatchArray | null = null;
  if (when.system) {
    match = view.system.match(when.system);
    if (!match) return false;
  }
  if (when.lastHuman) {
    match = view.lastHuman.match(when.lastHuman);
    if (!match) return false;
  }
  return match;
}

function textOf(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}

function toolName(tool: BindToolsInput): string | undefined {
  if (typeof tool === "object" && tool && "name" in tool && typeof tool.name === "string") return tool.name;
  try {
    return convertToOpenAITool(tool as never).function.name;
  } catch {
    return undefined;
  }
}
