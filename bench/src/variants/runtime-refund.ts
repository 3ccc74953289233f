import { GovernorRuntime } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger } from "@governor/sample-refund";
import { type RefundVariant, SMALL_REFUND_INPUT } from "./refund-variant.js";

export interface RuntimeRefundOptions {
  readonly name?: string;
  /** The store directory (checkpoints.db and governor.db), as `governor run` keeps it. */
  readonly dir: string;
}

/**
 * The refund workflow as a user runs it: `GovernorRuntime.start` on a `GovernorStore`
 * (run registry, lease, kill switch, budget admission, audit, idempotency journal and
 * LangGraph's SqliteSaver), exactly the path `governor run refund` takes.
 */
export function runtimeRefund(options: RuntimeRefundOptions): RefundVariant {
  const ledger = new PaymentsLedger();
  const sample = createRefundSample({ ledger });
  const runtime = new GovernorRuntime({ dir: options.dir });
  const model = new ScenarioChatModel(sample.scenario);
  return {
    name: options.name ?? "runtime",
    ledger,
    run: async (threadId) => {
      const outcome = await runtime.start(sample.workflow, SMALL_REFUND_INPUT, { threadId, model });
      if (outcome.status !== "completed")
        throw new Error(
          `the runtime's run ${threadId} ended ${outcome.status}: ${outcome.error?.message ?? ""}`,
        );
      return outcome.state;
    },
    close: () => runtime.close(),
  };
}
