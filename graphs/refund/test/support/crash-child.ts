/**
 * One step of a refund run in its own process, for the exactly-once test: it starts,
 * approves or recovers a run on a store, and can die (process.exit, no cleanup, as a
 * killed process would) at a named boundary. Refunds are appended to a file, so the test
 * counts what really happened across processes.
 *
 * argv: <store dir> <start|approve|recover> [thread id]
 * env: CRASH_AT = before-effect | after-effect | after-commit | after-audit | after-checkpoint;
 *      IDEMPOTENT_LEDGER=1 declares the refund tool idempotent and makes the ledger deduplicate keys
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GovernorRuntime, GovernorStore } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger, type RefundRecord } from "@governor/sample-refund";

const [dir = "", command = "", threadId = "crash-thread"] = process.argv.slice(2);
const crashAt = process.env.CRASH_AT;
const crash = (boundary: string) => {
  if (crashAt === boundary) process.exit(137);
};
const ledgerFile = join(dir, "payments.log");

/** The payments system, on disk: an idempotent one refuses a key it has seen, as real PSPs do. */
class FilePaymentsLedger extends PaymentsLedger {
  override refund(orderId: string, amount: number, idempotencyKey: string): RefundRecord {
    crash("before-effect");
    const seen = existsSync(ledgerFile)
      ? readFileSync(ledgerFile, "utf8")
          .split("\n")
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
    const earlier = seen.find((entry: RefundRecord) => entry.idempotencyKey === idempotencyKey);
    if (earlier && process.env.IDEMPOTENT_LEDGER === "1") return earlier;
    const record = { refundId: `R-${seen.length + 1}`, orderId, amount, idempotencyKey };
    appendFileSync(ledgerFile, `${JSON.stringify(record)}\n`);
    crash("after-effect");
    return record;
  }
}

const sample = createRefundSample({
  ledger: new FilePaymentsLedger(),
  idempotentRefunds: process.env.IDEMPOTENT_LEDGER === "1",
});
const store = new GovernorStore(dir);
const commit = store.effects.commit.bind(store.effects);
store.effects.commit = (key, result) => {
  commit(key, result);
  crash("after-commit");
};
const append = store.audit.append.bind(store.audit);
store.audit.append = (entry) => {
  // The next node starting means LangGraph has checkpointed the action's result.
  if (entry.kind === "model" && entry.node === "respond") crash("after-checkpoint");
  const record = append(entry);
  // The execution is journaled and audited; LangGraph has not yet checkpointed the node.
  if (entry.kind === "execution" && entry.outcome === "executed") crash("after-audit");
  return record;
};
const runtime = new GovernorRuntime({ store });
const model = new ScenarioChatModel(sample.scenario);
const large = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};

let outcome: Awaited<ReturnType<GovernorRuntime["start"]>>;
if (command === "start") outcome = await runtime.start(sample.workflow, large, { model, threadId });
else if (command === "approve")
  outcome = await runtime.decide(
    sample.workflow,
    threadId,
    { approver: "supervisor:sam", decision: "approve" },
    { model },
  );
else if (command === "recover") outcome = await runtime.recover(sample.workflow, threadId, { model });
else throw new Error(`unknown command ${command}`);
process.stdout.write(
  `${JSON.stringify({ status: outcome.status, error: outcome.error?.code, reason: outcome.error?.message })}\n`,
);
runtime.close();
