import type { PriceTable } from "@governor/models";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { SpendLedger } from "../budget/daily-spend.js";
import type { RunBudget } from "../budget/run-budget.js";
import { emptyUsage, type RunUsage } from "../budget/run-usage.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { KillSwitch } from "./kill-switch.js";

/** What the compiled graph needs to bound a run: budgets, the cheaper model, prices, the kill switch. */
export interface ExecutionControl {
  /** The budget of runs that carry none in their state (a graph run without the runtime). */
  readonly budget?: RunBudget;
  readonly cheapModel?: BaseChatModel;
  readonly prices: PriceTable;
  readonly killSwitch?: KillSwitch;
  readonly spend?: SpendLedger;
  readonly now: () => number;
}

/** The run's budget: as set at its start and extended since, else the compiled default. */
export function budgetOf(state: GraphState, control: ExecutionControl): RunBudget {
  return state.governor.budget ?? control.budget ?? {};
}

/** The run's usage; checkpoints written before usage was counted have none. */
export function usageOf(state: GraphState): RunUsage {
  return state.governor.usage ?? emptyUsage();
}
