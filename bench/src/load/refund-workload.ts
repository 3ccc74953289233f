import { createRefundSample, PaymentsLedger, refundSample } from "@governor/sample-refund";
import type { LoadWorkload, WorkloadOptions } from "./load-workload.js";
import { SimulatedLatencyModel } from "./simulated-latency-model.js";

function caseInput(name: string): Record<string, unknown> {
  const found = refundSample.cases.find((c) => c.name === name);
  if (!found) throw new Error(`The refund sample has no "${name}" case`);
  return found.input;
}

const SMALL = caseInput("small-refund");
const LARGE = caseInput("large-refund");

/**
 * The refund sample's ordinary cases as sessions: the $120 refund that completes (two model
 * calls, one refund), and every `waitingEvery`-th session the $1,200 one that stops for a
 * supervisor (one model call, no refund), whose checkpoint then holds it.
 */
export function refundWorkload(options: WorkloadOptions): LoadWorkload {
  const ledger = new PaymentsLedger();
  const sample = createRefundSample({ ledger });
  const waits = (i: number) =>
    options.waitingEvery > 0 && i % options.waitingEvery === options.waitingEvery - 1;
  return {
    name: "refund",
    workflow: sample.workflow,
    model: new SimulatedLatencyModel(sample.scenario, options.latency, options.sessionOf),
    modelCallsPerSession: (i) => (waits(i) ? 1 : 2),
    input: (i) => (waits(i) ? LARGE : SMALL),
    expected: (i) => (waits(i) ? "waiting" : "completed"),
    effects: () => ledger.refunds.map((refund) => refund.idempotencyKey),
  };
}
