import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { type ProposedCall, SqliteEffectJournal, ToolGateway } from "@governor/core";
import { agentPrincipal } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
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
}

export interface GatewayLatency {
  /** identity + contract + policy + durable audit append: the decision a gate makes. */
  readonly decision: LatencySummary;
  /** the decision, then execution behind the durable idempotency journal (no-op handler) and its audit record. */
  readonly decisionAndExecution: LatencySummary;
  /** Same run, same machine: the policy engine alone, for scale. */
  readonly policyOnly: LatencySummary;
  readonly policyEngine: string;
}

/**
 * The gateway's own cost per call over `calls` calls, with the refund sample's tool, contract
 * and policy, and the audit and effect journals in SQLite files (WAL, synchronous=NORMAL, as
 * the embedded store opens them).
 */
export async function measureGatewayLatency(calls: number): Promise<GatewayLatency> {
  const scratch = scratchDir("gateway");
  try {
    const db = new Database(join(scratch.path, "governor.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    const workflow = createRefundWorkflow({ ledger: new PaymentsLedger() });
    const audit = new SqliteAuditJournal(db);
    const gateway = new ToolGateway({
      tools: workflow.tools,
      policy: workflow.policy,
      audit,
      effects: new SqliteEffectJournal(db),
    });
    const principal = agentPrincipal("support", ["refunds:write", "orders:read"], ["support-agent"]);
    const context = { accountFlagged: false, orderTotal: 1499 };
    const call = (i: number): ProposedCall => ({
      id: `call-${i}`,
      tool: "issue_refund",
      args: { orderId: "A-1001", amount: (Math.abs(i) % 400) + 1, reason: "customer request" },
      callIndex: i,
      proposedBy: "propose",
    });
    const scope = (i: number) => ({ threadId: `bench-${i % 64}`, node: "refund_gate", principal });

    const policyOnly = await time(calls, async (i) => {
      await workflow.policy.decide({
        principal,
        action: "issue_refund",
        args: call(i).args,
        context,
        resource: { type: "Order", id: "A-1001" },
      });
    });
    const decision = await time(calls, async (i) => {
      const decided = await gateway.authorize(call(i), scope(i), {
        context,
        resource: { type: "Order", id: "A-1001" },
      });
      if (decided.effect !== "allow")
        throw new Error(`benchmark call ${i} was not allowed: ${decided.reasons.join("; ")}`);
    });
    const offset = calls;
    const decisionAndExecution = await time(calls, async (i) => {
      const proposed = call(offset + i);
      const decided = await gateway.authorize(proposed, scope(i), {
        context,
        resource: { type: "Order", id: "A-1001" },
      });
      const executed = await gateway.execute(
        proposed,
        { ...decided.args },
        { ...scope(i), node: "issue_refund" },
      );
      if (!executed.ok) throw new Error(`benchmark call ${i} failed to execute`);
    });
    if (!audit.verify().ok) throw new Error("the audit chain broke during the benchmark");
    db.close();
    return { decision, decisionAndExecution, policyOnly, policyEngine: workflow.policy.constructor.name };
  } finally {
    scratch.dispose();
  }
}

async function time(calls: number, run: (i: number) => Promise<void>): Promise<LatencySummary> {
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
  };
}

export function formatGatewayLatency(result: GatewayLatency): string {
  const row = (name: string, s: LatencySummary) =>
    `${name.padEnd(44)} ${s.p50Us.toFixed(1).padStart(8)} ${s.p99Us.toFixed(1).padStart(9)} ${s.meanUs.toFixed(1).padStart(9)} ${s.cpuMeanUs.toFixed(1).padStart(12)}`;
  const verdict =
    result.decision.p50Us <= 100 && result.decision.p99Us <= 1000
      ? "PASS: gateway decision p50 ≤ 100 µs and p99 ≤ 1 ms"
      : "FAIL: goal is gateway decision p50 ≤ 100 µs and p99 ≤ 1 ms";
  return [
    `Gateway latency over ${result.decision.calls} calls (policy engine: ${result.policyEngine}; durable SQLite journals)`,
    `${"".padEnd(44)} ${"p50 µs".padStart(8)} ${"p99 µs".padStart(9)} ${"mean µs".padStart(9)} ${"CPU mean µs".padStart(12)}`,
    row("policy engine alone (reference)", result.policyOnly),
    row("decision: identity+contract+policy+audit", result.decision),
    row("decision + exactly-once execution + audit", result.decisionAndExecution),
    verdict,
  ].join("\n");
}
