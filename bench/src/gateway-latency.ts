import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type ProposedCall, SqliteEffectJournal, ToolGateway } from "@governor/core";
import { agentPrincipal } from "@governor/identity";
import { type AuditJournal, SqliteAuditJournal } from "@governor/observability";
import { createRefundWorkflow, PaymentsLedger } from "@governor/sample-refund";
import Database from "better-sqlite3";
import { scratchDir } from "./scratch-dir.js";
import { quantile } from "./stats.js";

/** Per-call latency of one gateway stage mix, in microseconds. */
export interface LatencySummary {
  readonly calls: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly meanUs: number;
  /** This process's CPU time (user + system) per call, averaged over the loop. */
  readonly cpuMeanUs: number;
  /** What the calls were, in words: which stages, and how many distinct requests. */
  readonly what: string;
}

export interface GatewayLatency {
  /**
   * identity + contract + policy + durable audit append: the decision a gate makes, over a
   * mix of 400 distinct requests repeated (after warm-up every policy question is a hit in the
   * engine's exact decision cache; the contract, facts check, call hash and audit append still run).
   */
  readonly decision: LatencySummary;
  /** The same decision over all-distinct requests (each call a new amount): every one a Cedar evaluation. */
  readonly decisionMiss: LatencySummary;
  /** The decision over the repeated mix with an audit journal that writes nothing: what the audit append costs, by difference. */
  readonly decisionNoAudit: LatencySummary;
  /** the decision, then execution behind the durable idempotency journal (no-op handler) and its audit record. */
  readonly decisionAndExecution: LatencySummary;
  /** Same run, same machine: the policy engine alone over the repeated mix (cache hits), for scale. */
  readonly policyOnly: LatencySummary;
  /** The policy engine alone over all-distinct requests: one Cedar `statefulIsAuthorized` each. */
  readonly policyOnlyMiss: LatencySummary;
  readonly policyEngine: string;
}

/** Distinct amounts the repeated mix cycles through: all are under the $500 autonomous limit. */
const MIX_AMOUNTS = 400;
/** All-distinct amounts are whole cents from $1.00; past this many they would repeat. */
const DISTINCT_AMOUNTS = 40_000;

/**
 * The gateway's own cost per call over `calls` calls, with the refund sample's tool, contract
 * and Cedar policy, and the audit and effect journals in SQLite files (WAL,
 * synchronous=NORMAL, as the embedded store opens them).
 *
 * Two request mixes, so the policy engine's decision cache does not hide its miss path:
 * - repeated: `MIX_AMOUNTS` distinct refunds cycled, every policy question a cache hit after warm-up;
 * - distinct: every call a new amount in cents (up to `DISTINCT_AMOUNTS` calls), so every call
 *   is a Cedar evaluation. Warm-up uses amounts the measured calls never use.
 */
export async function measureGatewayLatency(calls: number): Promise<GatewayLatency> {
  const scratch = scratchDir("gateway");
  try {
    const db = new Database(join(scratch.path, "governor.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const workflow = createRefundWorkflow({ ledger: new PaymentsLedger() });
    const audit = new SqliteAuditJournal(db);
    const effects = new SqliteEffectJournal(db);
    const gatewayWith = (journal: AuditJournal) =>
      new ToolGateway({ tools: workflow.tools, policy: workflow.policy, audit: journal, effects });
    const gateway = gatewayWith(audit);
    const principal = agentPrincipal("support", ["refunds:write", "orders:read"], ["support-agent"]);
    const context = { accountFlagged: false, orderTotal: 1499 };
    const resource = { type: "Order", id: "A-1001" };
    // Measured calls use i ≥ 0, warm-up i < 0: in the distinct mix they never share an amount.
    const repeated = (i: number) => (Math.abs(i) % MIX_AMOUNTS) + 1;
    // Whole cents as integer / 100: the double nearest the decimal, which Cedar's decimal takes exactly.
    const distinct = (i: number) =>
      i >= 0 ? (100 + (i % DISTINCT_AMOUNTS)) / 100 : (50_000 - (Math.abs(i) % DISTINCT_AMOUNTS)) / 100;
    const call = (i: number, amount: (i: number) => number): ProposedCall => ({
      id: `call-${i}`,
      tool: "issue_refund",
      args: { orderId: "A-1001", amount: amount(i), reason: "customer request" },
      callIndex: i,
      proposedBy: "propose",
    });
    const scope = (i: number) => ({ threadId: `bench-${i % 64}`, node: "refund_gate", principal });
    const policyLoop = (amount: (i: number) => number) => async (i: number) => {
      await workflow.policy.decide({
        principal,
        action: "issue_refund",
        args: call(i, amount).args,
        context,
        resource,
      });
    };
    // Call ids are offset per loop so no loop's audit records deduplicate against another's.
    const decisionLoop =
      (through: ToolGateway, amount: (i: number) => number, offset: number) => async (i: number) => {
        const decided = await through.authorize(call(i + offset, amount), scope(i), { context, resource });
        if (decided.effect !== "allow")
          throw new Error(`benchmark call ${i} was not allowed: ${decided.reasons.join("; ")}`);
      };
    const mix = `${MIX_AMOUNTS} distinct refund requests repeated (cache hits after warm-up)`;
    const all = "all-distinct refund requests (every call a Cedar evaluation: cache misses)";
    const policyOnly = await time(calls, policyLoop(repeated), `policy engine alone; ${mix}`);
    const policyOnlyMiss = await time(calls, policyLoop(distinct), `policy engine alone; ${all}`);
    const decision = await time(
      calls,
      decisionLoop(gateway, repeated, 0),
      `identity+contract+policy+durable audit append; ${mix}`,
    );
    const decisionMiss = await time(
      calls,
      decisionLoop(gateway, distinct, 4 * calls),
      `identity+contract+policy+durable audit append; ${all}`,
    );
    const decisionNoAudit = await time(
      calls,
      decisionLoop(gatewayWith(discardingAudit(audit)), repeated, 0),
      `identity+contract+policy, audit records discarded (reference only); ${mix}`,
    );
    const offset = 8 * calls;
    const decisionAndExecution = await time(
      calls,
      async (i) => {
        const proposed = call(offset + i, repeated);
        const decided = await gateway.authorize(proposed, scope(i), { context, resource });
        const executed = await gateway.execute(
          proposed,
          { ...decided.args },
          { ...scope(i), node: "issue_refund" },
        );
        if (!executed.ok) throw new Error(`benchmark call ${i} failed to execute`);
      },
      `decision, then exactly-once execution (no-op handler) and its audit records; ${mix}`,
    );
    if (!audit.verify().ok) throw new Error("the audit chain broke during the benchmark");
    db.close();
    return {
      decision,
      decisionMiss,
      decisionNoAudit,
      decisionAndExecution,
      policyOnly,
      policyOnlyMiss,
      policyEngine: workflow.policy.constructor.name,
    };
  } finally {
    scratch.dispose();
  }
}

/** An audit journal that reads through to `journal` but writes nothing: the reference without the append. */
function discardingAudit(journal: AuditJournal): AuditJournal {
  return new Proxy(journal, {
    get(target, property) {
      if (property === "append") return () => undefined;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function time(calls: number, run: (i: number) => Promise<void>, what: string): Promise<LatencySummary> {
  const warmup = Math.min(500, calls);
  for (let i = 0; i < warmup; i++) await run(-1 - i);
  const samples: number[] = [];
  // CPU over the whole loop: per call it is below the clock's resolution.
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < calls; i++) {
    const started = performance.now();
    await run(i);
    samples.push((performance.now() - started) * 1000);
  }
  const cpu = process.cpuUsage(cpuStart);
  const sorted = samples.sort((a, b) => a - b);
  return {
    calls,
    cpuMeanUs: (cpu.user + cpu.system) / calls,
    p50Us: quantile(sorted, 0.5),
    p99Us: quantile(sorted, 0.99),
    meanUs: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    what,
  };
}

const meets = (s: LatencySummary) => s.p50Us <= 100 && s.p99Us <= 1000;

export function formatGatewayLatency(result: GatewayLatency): string {
  const row = (name: string, s: LatencySummary) =>
    `${name.padEnd(52)} ${s.p50Us.toFixed(1).padStart(8)} ${s.p99Us.toFixed(1).padStart(9)} ${s.meanUs.toFixed(1).padStart(9)} ${s.cpuMeanUs.toFixed(1).padStart(12)}`;
  const verdict = (name: string, s: LatencySummary) =>
    `${meets(s) ? "PASS" : "FAIL"}: gateway decision, ${name}: p50 ${s.p50Us.toFixed(0)} µs, p99 ${s.p99Us.toFixed(0)} µs (goal p50 ≤ 100 µs, p99 ≤ 1 ms)`;
  return [
    `Gateway latency over ${result.decision.calls} calls per row (policy engine: ${result.policyEngine}; durable SQLite journals)`,
    `  repeated = ${MIX_AMOUNTS} distinct requests cycled (policy cache hits); distinct = every request new (Cedar evaluates each)`,
    `${"".padEnd(52)} ${"p50 µs".padStart(8)} ${"p99 µs".padStart(9)} ${"mean µs".padStart(9)} ${"CPU mean µs".padStart(12)}`,
    row("policy engine alone, repeated (reference)", result.policyOnly),
    row("policy engine alone, distinct (reference)", result.policyOnlyMiss),
    row("decision: identity+contract+policy+audit, repeated", result.decision),
    row("decision: identity+contract+policy+audit, distinct", result.decisionMiss),
    row("decision without the audit append, repeated (ref.)", result.decisionNoAudit),
    row("decision + exactly-once execution + audit, repeated", result.decisionAndExecution),
    verdict("repeated requests", result.decision),
    verdict("all-distinct requests", result.decisionMiss),
  ].join("\n");
}
