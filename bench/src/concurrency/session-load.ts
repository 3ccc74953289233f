import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger, refundSample } from "@governor/sample-refund";
import { bareRefund } from "../variants/bare-refund.js";

/** Which stack holds the sessions: Governor's runtime, or the same business nodes in bare LangGraph. */
export type SessionVariant = "runtime" | "bare";

/** What a batch of sessions ended as: refunds made, runs left waiting for a supervisor. */
export interface SessionTally {
  readonly completed: number;
  readonly waiting: number;
}

/** A variant ready to start sessions, and how to release it. */
export interface SessionLoad {
  /** Starts session `i` (even: the $120 refund that completes; odd: the $1,200 one that needs a supervisor). */
  start(i: number): Promise<"completed" | "waiting">;
  close(): void;
}

function caseInput(name: string): Record<string, unknown> {
  const found = refundSample.cases.find((c) => c.name === name);
  if (!found) throw new Error(`The refund sample has no "${name}" case`);
  return found.input;
}

const SMALL = caseInput("small-refund");
const LARGE = caseInput("large-refund");

/**
 * Sessions of the refund desk in one process. Through the runtime the large refunds stop at
 * the approval step and stay waiting (their checkpoint holds them), the small ones complete.
 * Bare LangGraph has no approval step, so both kinds complete there: the same business nodes,
 * the same model script and the same checkpointer, none of the controls.
 *
 * @throws {Error} from `start` when a run ends any other way (a failure must not pass as a session).
 */
export function sessionLoad(variant: SessionVariant, dir: string): SessionLoad {
  if (variant === "bare") {
    const bare = bareRefund({ checkpoints: join(dir, "bare.db") });
    return {
      start: async (i) => {
        const state = await bare.run(`bare-${i}`);
        if (!state.refund) throw new Error(`bare session ${i} made no refund`);
        return "completed";
      },
      close: () => bare.close(),
    };
  }
  const sample = createRefundSample({ ledger: new PaymentsLedger() });
  const runtime = new GovernorRuntime({ dir: join(dir, "store") });
  const model = new ScenarioChatModel(sample.scenario);
  return {
    start: async (i) => {
      const large = i % 2 === 1;
      const outcome = await runtime.start(sample.workflow, large ? LARGE : SMALL, {
        threadId: `session-${i}`,
        model,
      });
      const expected = large ? "waiting" : "completed";
      if (outcome.status !== expected)
        throw new Error(
          `session ${i} ended ${outcome.status}, expected ${expected}: ${outcome.error?.message ?? ""}`,
        );
      return expected;
    },
    close: () => runtime.close(),
  };
}
