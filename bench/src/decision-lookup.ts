import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { GovernorRuntime, GovernorStore } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PaymentsLedger } from "@governor/sample-refund";
import { count } from "./bench-config.js";
import { scratchDir } from "./scratch-dir.js";
import { summarize, type TimingSummary } from "./stats.js";
import { SMALL_REFUND_INPUT } from "./variants/refund-variant.js";

/** The goal: a run in a thread with a long audit history costs what a run in a fresh thread costs. */
export const DECISION_LOOKUP_GOAL = 1.1;

export interface DecisionLookupConfig {
  /** Audit records in the heavy thread before its run (`BENCH_LOOKUP_RECORDS`, default 10,000). */
  readonly records: number;
  /** Timed runs of each kind, alternating (`BENCH_LOOKUP_RUNS`, default 10; 0 skips), after one untimed pair. */
  readonly runs: number;
  /** Untimed runs in fresh threads first, so the JIT has settled (`BENCH_LOOKUP_WARMUP`, default 20). */
  readonly warmup: number;
}

export function decisionLookupConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DecisionLookupConfig {
  return {
    records: count(env, "BENCH_LOOKUP_RECORDS", 10_000),
    runs: count(env, "BENCH_LOOKUP_RUNS", 10, 0),
    warmup: count(env, "BENCH_LOOKUP_WARMUP", 20, 0),
  };
}

export interface DecisionLookupResult {
  readonly config: DecisionLookupConfig;
  /** A small refund in a thread whose audit journal already holds `records` records. */
  readonly heavy: TimingSummary;
  /** The same run in a fresh thread, in the same store. */
  readonly fresh: TimingSummary;
  /** heavy / fresh: wall and CPU medians. */
  readonly ratio: { readonly median: number; readonly cpuMedian: number };
  readonly meetsGoal: boolean;
}

/**
 * What a thread's audit history costs a run: the small refund through `GovernorRuntime.start`
 * in a thread already holding `records` audit records (earlier decisions on other calls,
 * appended through the store's own journal) against the same run in a fresh thread of the
 * same store. Each heavy run gets a thread of its own, seeded untimed just before it; the
 * fresh runs share the store, so both see a journal of the same total size and only the
 * thread's own history differs.
 */
export async function measureDecisionLookup(config: DecisionLookupConfig): Promise<DecisionLookupResult> {
  const dir = scratchDir("lookup");
  const ledger = new PaymentsLedger();
  const sample = createRefundSample({ ledger });
  const store = new GovernorStore(join(dir.path, "store"));
  const runtime = new GovernorRuntime({ store });
  const model = new ScenarioChatModel(sample.scenario);
  const run = async (threadId: string) => {
    const outcome = await runtime.start(sample.workflow, SMALL_REFUND_INPUT, { threadId, model });
    if (outcome.status !== "completed")
      throw new Error(
        `decision lookup: run ${threadId} ended ${outcome.status}: ${outcome.error?.message ?? ""}`,
      );
  };
  const samples = {
    heavy: { wall: [] as number[], cpu: [] as number[] },
    fresh: { wall: [] as number[], cpu: [] as number[] },
  };
  try {
    for (let i = 0; i < config.warmup; i++) await run(`lookup-warmup-${i}`);
    for (let i = 0; i <= config.runs; i++) {
      const heavy = `lookup-heavy-${i}`;
      seedThread(store, heavy, config.records);
      // The journal anchors appends made inside a transaction in a microtask after it: let that
      // happen here, untimed, not inside whichever run comes next.
      await new Promise((resolve) => setImmediate(resolve));
      // And fold the seeding's WAL pages into the database now: otherwise SQLite's automatic
      // checkpoint runs inside the next timed run's first commit, whichever run that is.
      store.db.pragma("wal_checkpoint(TRUNCATE)");
      // Alternate which goes first, so a GC or WAL checkpoint after seeding hits both alike.
      const order = i % 2 === 0 ? (["heavy", "fresh"] as const) : (["fresh", "heavy"] as const);
      for (const kind of order) {
        const threadId = kind === "heavy" ? heavy : `lookup-fresh-${i}`;
        const cpuStart = process.cpuUsage();
        const start = performance.now();
        await run(threadId);
        const wall = performance.now() - start;
        const cpu = process.cpuUsage(cpuStart);
        // Run 0 is the untimed warm-up pair.
        if (i > 0) {
          samples[kind].wall.push(wall);
          samples[kind].cpu.push((cpu.user + cpu.system) / 1000);
        }
      }
    }
    const expected = config.warmup + 2 * (config.runs + 1);
    if (ledger.refunds.length !== expected)
      throw new Error(`decision lookup: ${ledger.refunds.length} refunds over ${expected} runs`);
    const heavy = summarize(samples.heavy.wall, samples.heavy.cpu);
    const fresh = summarize(samples.fresh.wall, samples.fresh.cpu);
    const ratio = {
      median: heavy.medianMs / fresh.medianMs,
      cpuMedian: heavy.cpuMedianMs / fresh.cpuMedianMs,
    };
    return { config, heavy, fresh, ratio, meetsGoal: ratio.cpuMedian <= DECISION_LOOKUP_GOAL };
  } finally {
    runtime.close();
    dir.dispose();
  }
}

/**
 * Appends `records` policy decisions on other calls to the thread, as earlier turns of a long
 * conversation leave them, through the store's audit journal (one transaction: the appends
 * are the real ones, hash chain and anchor included, only the commits are grouped).
 */
function seedThread(store: GovernorStore, threadId: string, records: number): void {
  const { db, audit } = store;
  db.transaction(() => {
    for (let j = 0; j < records; j++)
      audit.append({
        threadId,
        kind: "policy",
        outcome: "allow",
        node: "refund_gate",
        tool: "issue_refund",
        principal: "agent:support",
        data: {
          callId: `earlier-call-${j}`,
          args: { orderId: "A-1001", amount: (j % 400) + 1, reason: "customer request" },
          identity: "in scope",
          contract: "valid",
        },
        dedupeKey: `${threadId}:earlier-call-${j}:refund_gate:policy`,
      });
  })();
}
