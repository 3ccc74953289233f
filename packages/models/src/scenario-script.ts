import type { BaseMessage } from "@langchain/core/messages";

/** A tool call the scripted model proposes. */
export interface ScriptedToolCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** What the scripted model answers on one turn. */
export interface ScriptedReply {
  readonly text?: string;
  readonly toolCalls?: readonly ScriptedToolCall[];
}

/** What a turn's condition and reply see of the conversation. */
export interface ScenarioView {
  readonly messages: readonly BaseMessage[];
  /** Text of the system message(s): tells which step of a workflow is asking. */
  readonly system: string;
  /** The newest human message's text, or "". */
  readonly lastHuman: string;
  /** The newest message, whatever its role. */
  readonly last?: BaseMessage;
  /** Names of the tools bound to this call. */
  readonly tools: readonly string[];
  /** Capture groups of the `when.lastHuman` / `when.system` patterns that matched. */
  readonly match: RegExpMatchArray | null;
}

/**
 * One step of a script: when the conversation looks like `when`, answer with `reply`.
 * Every field of `when` that is given must hold.
 */
export interface ScenarioTurn {
  readonly when?: {
    readonly system?: RegExp;
    readonly lastHuman?: RegExp;
    readonly lastRole?: "human" | "ai" | "tool" | "system";
    /** The newest message is a tool result whose content matches. */
    readonly lastToolResult?: RegExp;
    /** Only when these tools are bound. */
    readonly toolsBound?: readonly string[];
  };
  readonly reply: ScriptedReply | ((view: ScenarioView) => ScriptedReply);
}

/**
 * A deterministic script for a sample: the first turn whose condition holds answers.
 * With no match the model answers `fallback`, or fails loudly, because a script that
 * silently answers nothing would hide a broken sample.
 */
export interface ScenarioScript {
  readonly name: string;
  readonly turns: readonly ScenarioTurn[];
  readonly fallback?: ScriptedReply;
}

/** Identity helper that types a script literal. */
export function defineScenario(script: ScenarioScript): ScenarioScript {
  return script;
}
