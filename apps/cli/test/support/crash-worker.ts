/**
 * A queue worker (the library's startWorker, as a deployment embedding Governor runs it) on a
 * store with the crash hooks of graphs/refund/test/support/crash-child.ts: it SIGKILLs itself
 * at a named boundary of the refund action, as a worker machine dying would. Refunds go to a
 * file, so the test counts what really happened across processes.
 *
 * argv: <store dir>
 * env: REDIS_URL, GOVERNOR_QUEUE (one queue, or several comma-separated); DATABASE_URL (PostgreSQL store, else SQLite in the dir);
 *      CRASH_AT = before-effect | after-effect | after-commit | after-audit | after-checkpoint;
 *      HOLD_AT = after-audit: wait there until <dir>/release exists (writes <dir>/held first);
 *      GOVERNOR_WORKER_LOCK_MS / _STALLED_MS.
 * Prints "crash worker ready" once it listens, and one line per run it moved on.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GovernorRuntime, GovernorStore } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger, type RefundRecord } from "@governor/sample-refund";
import { drainOnSignals, startWorker, timingsFromEnv } from "@governor/workers";

const [dir = ""] = process.argv.slice(2);
const crashAt = process.env.CRASH_AT;
const crash = (boundary: string) => {
  if (crashAt === boundary) process.kill(process.pid, "SIGKILL");
};
const ledgerFile = join(dir, "payments.log");

/** Waits (the event loop free) until the test releases it: a job provably in flight when a signal comes. */
async function hold(boundary: string): Promise<void> {
  if (process.env.HOLD_AT !== boundary) return;
  writeFileSync(join(dir, "held"), String(process.pid));
  const deadline = Date.now() + 120_000;
  while (!existsSync(join(dir, "release")) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
}

class FilePaymentsLedger extends PaymentsLedger {
  override refund(orderId: string, amount: number, idempotencyKey: string): RefundRecord {
    crash("before-effect");
    const lines = existsSync(ledgerFile) ? readFileSync(ledgerFile, "utf8").split("\n").filter(Boolean) : [];
    const record = { refundId: `R-${lines.length + 1}`, orderId, amount, idempotencyKey };
    appendFileSync(ledgerFile, `${JSON.stringify(record)}\n`);
    crash("after-effect");
    return record;
  }
}

const sample = createRefundSample({ ledger: new FilePaymentsLedger() });
const store = await openStore();
const commit = store.effects.commit.bind(store.effects);
store.effects.commit = (async (key: string, result: unknown) => {
  const committed = await commit(key, result as never);
  crash("after-commit");
  return committed;
}) as typeof store.effects.commit;
const append = store.audit.append.bind(store.audit);
store.audit.append = (async (entry: Parameters<typeof append>[0]) => {
  // The next node starting means LangGraph has checkpointed the action's result.
  if (entry.kind === "model" && entry.node === "respond") crash("after-checkpoint");
  const record = await append(entry);
  // The execution is journaled and audited; LangGraph has not yet checkpointed the node.
  if (entry.kind === "execution" && entry.outcome === "executed") {
    crash("after-audit");
    await hold("after-audit");
  }
  return record;
}) as typeof store.audit.append;

const runtime = new GovernorRuntime({ store } as ConstructorParameters<typeof GovernorRuntime>[0]);
const model = new ScenarioChatModel(sample.scenario);
// GOVERNOR_QUEUE may list several queues (comma-separated): one rescuing process serves them all.
const queues = (process.env.GOVERNOR_QUEUE ?? "").split(",").filter(Boolean);
const workers = await Promise.all(
  queues.map((queueName) =>
    startWorker({
      runtime: runtime as never,
      redis: process.env.REDIS_URL ?? "",
      queueName,
      timings: timingsFromEnv(),
      workflowFor: (run) =>
        run.workflow === sample.workflow.name ? { workflow: sample.workflow, options: { model } } : undefined,
      onOutcome: (outcome) =>
        process.stdout.write(
          `${outcome.threadId} ${outcome.status}${outcome.error ? ` ${outcome.error.code}` : ""}\n`,
        ),
    }),
  ),
);
let draining = 0;
for (const worker of workers) {
  drainOnSignals(worker).drained.then(async () => {
    if (++draining < workers.length) return;
    await runtime.close();
    process.stdout.write("crash worker drained\n");
    process.exit(0);
  });
}
process.stdout.write(`crash worker ready (pid ${process.pid}, crash at ${crashAt ?? "nothing"})\n`);

/** The store the test chose: PostgreSQL when DATABASE_URL is set, else SQLite in the dir. */
async function openStore(): Promise<GovernorStore> {
  if (!process.env.DATABASE_URL) return new GovernorStore(dir);
  const { openPostgresStore } = await import("@governor/store-postgres");
  return (await openPostgresStore({ url: process.env.DATABASE_URL, dir })) as unknown as GovernorStore;
}
