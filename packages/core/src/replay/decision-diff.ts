import { type AuditKind, type AuditRecord, hashOf } from "@governor/observability";

/** The kinds of record that are decisions a replay must reproduce. */
const DECISION_KINDS: ReadonlySet<AuditKind> = new Set([
  "identity",
  "contract",
  "precondition",
  "policy",
  "approval",
  "execution",
  "budget",
  "kill",
  "run",
]);

/** One decision, as a replay compares it. */
export interface ReplayedDecision {
  readonly seq: number;
  readonly kind: AuditKind;
  readonly node?: string;
  readonly tool?: string;
  readonly outcome: string;
  readonly policyIds: readonly string[];
  /** The call's hash (principal, tool, arguments, policy version) when the record has one. */
  readonly callHash?: string;
  /** A hash of the arguments the decision was about, when it names them. */
  readonly argsHash?: string;
}

/** How one decision of the original fared in the replay (or one only the replay made). */
export interface DecisionComparison {
  readonly verdict: "same" | "different" | "missing-in-replay" | "only-in-replay";
  readonly original?: ReplayedDecision;
  readonly replay?: ReplayedDecision;
  /** What differs, in words, when not the same. */
  readonly differences: readonly string[];
}

/**
 * The decisions of a run in chain order. Left out: the "run started" record (its time and
 * version differ by nature), model records (a replay's inputs, not its decisions) and
 * approval answers refused as tokens (a replay applies only the decisions that were made).
 */
export function decisionsOf(records: readonly AuditRecord[]): ReplayedDecision[] {
  return records
    .filter((record) => DECISION_KINDS.has(record.kind))
    .filter((record) => !(record.kind === "run" && record.outcome === "started"))
    .filter((record) => !(record.kind === "approval" && record.outcome === "refused"))
    .map((record) => {
      const data = record.data as { policyIds?: unknown; callHash?: unknown; args?: unknown };
      return {
        seq: record.seq,
        kind: record.kind,
        node: record.node,
        tool: record.tool,
        outcome: record.outcome,
        policyIds: Array.isArray(data.policyIds) ? (data.policyIds as string[]) : [],
        callHash: typeof data.callHash === "string" ? data.callHash : undefined,
        argsHash: data.args === undefined ? undefined : hashOf(data.args),
      };
    });
}

/**
 * Pairs each original decision with the replay's decision of the same kind, at the same
 * node, about the same tool and at the same place among those (the second policy decision at
 * `gate` with the second), then compares outcome, policy ids, arguments and, when
 * `compareCallHash`, the call hash. The call hash binds the policy version, so it is compared
 * only when both runs ran under the same workflow version.
 */
export function compareDecisions(
  original: readonly ReplayedDecision[],
  replay: readonly ReplayedDecision[],
  options: { readonly compareCallHash: boolean },
): DecisionComparison[] {
  const pending = new Map<string, ReplayedDecision[]>();
  for (const decision of replay) {
    const key = slotOf(decision);
    pending.set(key, [...(pending.get(key) ?? []), decision]);
  }
  const matched = new Set<ReplayedDecision>();
  const compared: DecisionComparison[] = original.map((decision) => {
    const counterpart = pending.get(slotOf(decision))?.shift();
    if (!counterpart) {
      return {
        verdict: "missing-in-replay",
        original: decision,
        differences: ["the replay made no such decision"],
      };
    }
    matched.add(counterpart);
    const differences = differencesOf(decision, counterpart, options.compareCallHash);
    return {
      verdict: differences.length ? "different" : "same",
      original: decision,
      replay: counterpart,
      differences,
    };
  });
  for (const decision of replay) {
    if (!matched.has(decision)) {
      compared.push({
        verdict: "only-in-replay",
        replay: decision,
        differences: ["the original made no such decision"],
      });
    }
  }
  return compared;
}

function slotOf(decision: ReplayedDecision): string {
  return JSON.stringify([decision.kind, decision.node ?? null, decision.tool ?? null]);
}

function differencesOf(a: ReplayedDecision, b: ReplayedDecision, compareCallHash: boolean): string[] {
  const differences: string[] = [];
  if (a.outcome !== b.outcome) differences.push(`outcome ${a.outcome} → ${b.outcome}`);
  const idsA = [...a.policyIds].sort().join(", ");
  const idsB = [...b.policyIds].sort().join(", ");
  if (idsA !== idsB) differences.push(`policies [${idsA}] → [${idsB}]`);
  if (a.argsHash !== undefined && b.argsHash !== undefined && a.argsHash !== b.argsHash)
    differences.push("different arguments");
  if (compareCallHash && a.callHash !== undefined && b.callHash !== undefined && a.callHash !== b.callHash)
    differences.push("different call hash");
  return differences;
}
