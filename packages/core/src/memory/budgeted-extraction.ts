import type { ExtractionModel } from "@governor/memory";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { callModelWithinBudget, turnUsage } from "../agent/model-turn.js";
import type { RunBudget } from "../budget/run-budget.js";
import { mergeUsage, type RunUsage, type UsageDelta } from "../budget/run-usage.js";
import { budgetOf, type ExecutionControl, usageOf } from "../control/execution-control.js";
import type { RunStop } from "../control/run-stop.js";
import type { CallScope } from "../gateway/tool-gateway.js";
import type { NodeServices, stepAudit } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { routeTo } from "../nodes/model-route.js";

/** Thrown out of the extraction when a human stopped the run instead of granting more budget. */
export class ExtractionStopped extends Error {
  constructor(
    readonly budget: RunBudget,
    readonly stop: RunStop,
  ) {
    super(stop.message);
  }
}

export interface BudgetedExtraction {
  /** The model `remember()` calls: every call under the run's budgets, like a model step's. */
  readonly model: ExtractionModel;
  /** What the calls added to the run's usage, for the node's state update. */
  usage(): UsageDelta | undefined;
  /** The budget after any extension granted while the step waited, if one was. */
  budget(): RunBudget | undefined;
}

/**
 * The extraction model of a memory-write step, metered: each call it makes (extracting, then
 * matching near keys) goes through the same path as a model step's (budget routing, a human
 * asked before a call would overrun, the principal's daily spend, tokens and cost counted and
 * audited), so remembering a conversation cannot spend outside the run's budget.
 */
export function budgetedExtraction(input: {
  readonly id: string;
  readonly model: BaseChatModel;
  readonly state: GraphState;
  readonly scope: CallScope;
  readonly config: LangGraphRunnableConfig;
  readonly control: ExecutionControl;
  readonly services: NodeServices;
  readonly audit: ReturnType<typeof stepAudit>;
}): BudgetedExtraction {
  const { id, scope, config, control, services, audit } = input;
  const primary = routeTo(input.model, "primary", [], id);
  const initialBudget = budgetOf(input.state, control);
  const before = usageOf(input.state);
  let budget = initialBudget;
  // What this step's calls spent so far: the next call is checked against the run's usage plus it.
  let spent: RunUsage | undefined;
  const model: ExtractionModel = {
    invoke: async (messages: BaseMessage[]) => {
      const turn = await callModelWithinBudget({
        id,
        scope,
        config,
        prompt: messages,
        usage: spent ? mergeUsage(before, spent) : before,
        budget,
        pick: async () => ({ primary }),
        control,
        services,
        audit,
      });
      if (turn.kind === "stopped") throw new ExtractionStopped(turn.budget, turn.stop);
      budget = turn.budget;
      spent = mergeUsage(spent, turnUsage(turn));
      await audit(
        "model",
        "answered",
        {
          purpose: "memory extraction",
          // What the model answered, so `governor replay` can answer the same without calling it
          // (masked on its way into the journal, as every record is). Extractions are structured
          // and longer than a chat turn, so more of them is kept than of a step's text.
          text: replyText(turn.reply).slice(0, 16_000),
          model: turn.model,
          usage: { inputTokens: turn.inputTokens, outputTokens: turn.outputTokens, source: turn.source },
          costUsd: turn.costUsd,
          latencyMs: turn.latencyMs,
        },
        `model:extract:${spent.modelCalls}`,
      );
      return turn.reply;
    },
  };
  return {
    model,
    usage: () =>
      spent && {
        modelCalls: spent.modelCalls,
        inputTokens: spent.inputTokens,
        outputTokens: spent.outputTokens,
        costUsd: spent.costUsd,
        byModel: spent.byModel,
      },
    budget: () => (budget !== initialBudget ? budget : undefined),
  };
}

function replyText(reply: { readonly content: unknown }): string {
  return typeof reply.content === "string" ? reply.content : JSON.stringify(reply.content);
}
