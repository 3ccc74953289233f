import { randomBytes } from "node:crypto";
import { compile } from "@governor/core";
import { hs256Keys } from "@governor/identity";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger } from "@governor/sample-refund";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type { GovernedJournals } from "./journals.js";
import { type RefundVariant, SMALL_REFUND_INPUT } from "./refund-variant.js";

export interface GovernedRefundOptions {
  readonly name?: string;
  /** The SQLite file of the variant's own checkpointer. */
  readonly checkpoints: string;
  readonly journals: GovernedJournals;
}

/**
 * The refund workflow as Governor compiles it: seven nodes for the small refund
 * (load_customer → propose → has_proposal → check_refund → refund_gate → issue_refund → respond),
 * with the audit chain and idempotency journal written on the way.
 */
export function governedRefund(options: GovernedRefundOptions): RefundVariant {
  const ledger = new PaymentsLedger();
  const sample = createRefundSample({ ledger });
  const checkpointer = SqliteSaver.fromConnString(options.checkpoints);
  const graph = compile(sample.workflow, {
    model: new ScenarioChatModel(sample.scenario),
    audit: options.journals.audit,
    effects: options.journals.effects,
    checkpointer,
    // The small refund never reaches the approval step; the key only has to exist.
    tokenKeys: hs256Keys(randomBytes(32)),
  });
  return {
    name: options.name ?? "governed",
    ledger,
    run: (threadId) => graph.invoke(SMALL_REFUND_INPUT, { configurable: { thread_id: threadId } }),
    verify: (state) => {
      const governor = state.governor as
        | { routes?: Record<string, string>; outcomes?: { ok: boolean }[] }
        | undefined;
      const problems: string[] = [];
      if (governor?.routes?.refund_gate !== "allow")
        problems.push(`the gate routed ${JSON.stringify(governor?.routes?.refund_gate)}, not "allow"`);
      if (governor?.outcomes?.length !== 1 || !governor.outcomes[0]?.ok)
        problems.push("the gateway did not record one successful call");
      return problems;
    },
    close: () => {
      checkpointer.db.close();
      options.journals.close();
    },
  };
}
