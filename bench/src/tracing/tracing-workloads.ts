import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger } from "@governor/sample-refund";
import { governedAgentLoop } from "../agent-loop/governed-agent-loop.js";
import { CALLS_PER_RUN } from "../agent-loop/loop-script.js";
import { fileJournals } from "../variants/journals.js";
import { SMALL_REFUND_INPUT } from "../variants/refund-variant.js";

/** A workload the tracing bench runs with tracing off and on: one run per call, each on a new thread. */
export interface TracingWorkload {
  readonly name: string;
  run(threadId: string): Promise<void>;
  /** Problems with the work done so far (runs counted against `runs`), if any. */
  check(runs: number): string[];
  close(): void;
}

/** The small refund through `GovernorRuntime.start` on a `GovernorStore`: the path `governor run` takes. */
export function refundWorkload(dir: string): TracingWorkload {
  const ledger = new PaymentsLedger();
  const sample = createRefundSample({ ledger });
  const runtime = new GovernorRuntime({ dir: join(dir, "refund-store") });
  const model = new ScenarioChatModel(sample.scenario);
  return {
    name: "refund (GovernorRuntime.start)",
    run: async (threadId) => {
      const outcome = await runtime.start(sample.workflow, SMALL_REFUND_INPUT, { threadId, model });
      if (outcome.status !== "completed")
        throw new Error(
          `tracing bench: refund ${threadId} ended ${outcome.status}: ${outcome.error?.message ?? ""}`,
        );
    },
    check: (runs) =>
      ledger.refunds.length === runs ? [] : [`${ledger.refunds.length} refunds over ${runs} runs`],
    close: () => runtime.close(),
  };
}

/** The 10-turn agent loop (20 governed tool calls) as one Governor `agent` node, journals in a GovernorStore. */
export function agentLoopWorkload(dir: string): TracingWorkload {
  const variant = governedAgentLoop({
    checkpoints: join(dir, "loop-checkpoints.db"),
    journals: fileJournals(join(dir, "loop")),
    policy: "cedar",
  });
  const problems: string[] = [];
  return {
    name: "agent loop (compile + invoke: 10 turns, 20 governed calls)",
    run: async (threadId) => {
      const state = await variant.run(threadId);
      problems.push(...(variant.verify?.(state) ?? []).map((problem) => `${threadId}: ${problem}`));
    },
    check: (runs) => {
      const calls = variant.desk.reads + variant.desk.writes;
      return [
        ...problems.slice(0, 3),
        ...(calls === runs * CALLS_PER_RUN ? [] : [`${calls} tool calls over ${runs} runs`]),
      ];
    },
    close: () => variant.close(),
  };
}
