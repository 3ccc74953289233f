import { performance } from "node:perf_hooks";
import { callHash, idempotencyKey } from "@governor/core";
import type { GovernedJournals } from "./variants/journals.js";

/** What one of Governor's per-node operations costs on its own, in microseconds. */
export interface MicroTiming {
  readonly operation: string;
  readonly microseconds: number;
}

const principal = {
  id: "agent:support",
  kind: "agent" as const,
  agentId: "support",
  scopes: ["refunds:write", "orders:read"],
};
const args = { orderId: "A-1001", amount: 120, reason: "customer request" };

/** A policy record as the gate writes it: the largest of the small refund's audit records. */
function policyEntry(i: number) {
  return {
    threadId: `micro-${i}`,
    kind: "policy" as const,
    outcome: "allow",
    node: "refund_gate",
    tool: "issue_refund",
    principal: principal.id,
    data: {
      callId: `call_${i}`,
      args,
      identity: "in scope",
      contract: "valid",
      context: { accountFlagged: false, orderTotal: 150 },
    },
    dedupeKey: `micro-${i}:call_${i}:refund_gate:policy`,
  };
}

/** Times each operation in a tight loop, after a short warm-up. */
export function measureMicro(
  journals: { file: GovernedJournals; memory: GovernedJournals },
  iterations = 2000,
): MicroTiming[] {
  let n = 0;
  const fileEffects = journals.file.effects;
  return [
    time("audit append, SQLite file (hash chain + dedupe lookup + insert)", iterations, () =>
      journals.file.audit.append(policyEntry(n++)),
    ),
    time("audit append, SQLite :memory:", iterations, () => journals.memory.audit.append(policyEntry(n++))),
    time("effects get + start + commit, SQLite file", iterations, () => {
      const key = `micro-effect-${n++}`;
      fileEffects.get(key);
      fileEffects.start(key, "issue_refund", "micro");
      fileEffects.commit(key, { refundId: "R-1", orderId: "A-1001", amount: 120 });
    }),
    time("callHash (canonical JSON + SHA-256)", iterations, () =>
      callHash(principal, "issue_refund", args, "rules-abc"),
    ),
    time("idempotencyKey (two canonical hashes)", iterations, () =>
      idempotencyKey("thread", "issue_refund", n++, args),
    ),
  ];
}

function time(operation: string, iterations: number, body: () => unknown): MicroTiming {
  for (let i = 0; i < Math.min(200, iterations); i++) body();
  const start = performance.now();
  for (let i = 0; i < iterations; i++) body();
  return { operation, microseconds: ((performance.now() - start) * 1000) / iterations };
}
