import type { ScenarioScript, ScenarioView, ScriptedReply } from "@governor/models";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";

/** A tool call the attacking model proposes. */
export interface AttackCall {
  readonly name: string;
  readonly args: Record<string, unknown>;
}

/** One step of an attack script: when the conversation looks like `when`, answer `reply`. */
export interface AttackTurn {
  readonly when: {
    readonly system?: RegExp;
    readonly lastHuman?: RegExp;
    readonly lastToolResult?: RegExp;
  };
  readonly reply: ScriptedReply | ((view: ScenarioView) => ScriptedReply);
}

/** A scripted model that misbehaves on purpose, and a log of every time it was called. */
export interface Attacker {
  readonly model: ScenarioChatModel;
  /** One entry per model call: the index of the turn that answered it ("fallback" when none did). */
  readonly calls: string[];
}

/**
 * A model playing an attack. Every answer is logged, so a test can prove the model was (or
 * was not) called again after a control stopped the run. A conversation no turn matches is
 * answered by echoing what the model was last told, which is how reply steps report.
 */
export function attacker(name: string, turns: readonly AttackTurn[]): Attacker {
  const calls: string[] = [];
  const logged = (label: string, reply: AttackTurn["reply"]) => (view: ScenarioView) => {
    calls.push(label);
    return typeof reply === "function" ? reply(view) : reply;
  };
  const model = new ScenarioChatModel(
    defineScenario({
      name,
      turns: [
        ...turns.map((turn, index) => ({ when: turn.when, reply: logged(String(index), turn.reply) })),
        { reply: logged("fallback", echoLastToolResult) },
      ],
    }),
  );
  return { model, calls };
}

/**
 * What a reply step says: the last tool message it was shown, verbatim. A test reads the
 * final reply to see what the model was told about its call.
 */
export function echoLastToolResult(view: ScenarioView): ScriptedReply {
  const lastTool = [...view.messages].reverse().find((message) => message.getType() === "tool");
  const told = lastTool ? String(lastTool.content) : "(no tool result)";
  return { text: `Told: ${told}` };
}

/** A model that, on the step whose system prompt matches `step`, proposes `calls`; elsewhere it echoes. */
export function proposing(
  name: string,
  step: RegExp,
  calls: readonly AttackCall[] | ((view: ScenarioView) => readonly AttackCall[]),
  text = "Right away.",
): Attacker {
  return attacker(name, [
    {
      when: { system: step },
      reply: (view) => ({ text, toolCalls: typeof calls === "function" ? calls(view) : calls }),
    },
  ]);
}

/**
 * A model endpoint that names tool calls its own way: every call of a reply under the same
 * id, or none at all (some OpenAI-compatible servers omit them; a hostile one can repeat
 * them), or a fresh id on every call as hosted APIs do. Ids are the model's to choose.
 */
export class CallIdModel extends ScenarioChatModel {
  readonly #assign: () => string | undefined;

  constructor(script: ScenarioScript, assign: () => string | undefined) {
    super(script);
    this.#assign = assign;
  }

  override async _generate(...args: Parameters<ScenarioChatModel["_generate"]>) {
    const result = await super._generate(...args);
    const message = result.generations[0]?.message as { tool_calls?: { id?: string }[] } | undefined;
    for (const call of message?.tool_calls ?? []) call.id = this.#assign();
    return result;
  }
}

/** Fresh ids, one per tool call, as hosted model APIs give them. */
export function freshCallIds(): () => string {
  let next = 0;
  return () => `call_fresh_${++next}`;
}
