import { type FactRecord, type FactValue, kindRank, type ParsedFactWrite } from "./fact.js";
import type { MemoryOperation } from "./memory-event.js";

/**
 * What one write would do to its key, decided from the key's current record alone (a pure
 * function, so the rules are testable without a store):
 * - no current record: ADD (a retraction of nothing is NONE);
 * - the same value, stated with no more authority: NONE;
 * - a suggestion against anything stronger: refused, always (a brainstorm never replaces a rule);
 * - a weaker kind or a lower weight against the current record: waits for a signed approval;
 * - otherwise UPDATE (or DELETE for a retraction): the current record is superseded.
 */
export type Reconciliation =
  | { readonly operation: MemoryOperation; readonly outcome: "apply"; readonly reason: string }
  | { readonly operation: MemoryOperation; readonly outcome: "refuse"; readonly reason: string }
  | {
      readonly operation: Exclude<MemoryOperation, "NONE" | "ADD">;
      readonly outcome: "approve";
      readonly reason: string;
    };

export function reconcile(write: ParsedFactWrite, current: FactRecord | undefined): Reconciliation {
  if (write.op === "retract") {
    if (!current)
      return {
        operation: "NONE",
        outcome: "apply",
        reason: "nothing to retract: the key has no current fact",
      };
    if (write.authority.weight < current.authority.weight) {
      return {
        operation: "DELETE",
        outcome: "approve",
        reason: `${write.authority.by} (weight ${write.authority.weight}) may not retract a fact stated by ${current.authority.by} (weight ${current.authority.weight}) without an approval`,
      };
    }
    return { operation: "DELETE", outcome: "apply", reason: "retracted" };
  }
  if (!current) return { operation: "ADD", outcome: "apply", reason: "a new key" };
  const stronger =
    kindRank(write.kind) > kindRank(current.kind) || write.authority.weight > current.authority.weight;
  // The same value said to hold from earlier than recorded is a late correction, not a restatement.
  const earlier =
    write.validFrom !== undefined && new Date(write.validFrom).toISOString() < current.validFrom;
  if (sameValue(write.value, current.value) && !stronger && !earlier) {
    return { operation: "NONE", outcome: "apply", reason: "the same value is already the current fact" };
  }
  if (write.kind === "suggestion" && current.kind !== "suggestion") {
    return {
      operation: "UPDATE",
      outcome: "refuse",
      reason: `a suggestion never supersedes a ${current.kind} (${current.authority.by}'s "${String(current.value)}" stands)`,
    };
  }
  if (kindRank(write.kind) < kindRank(current.kind)) {
    return {
      operation: "UPDATE",
      outcome: "approve",
      reason: `a ${write.kind} would overwrite a ${current.kind}: that needs an approval`,
    };
  }
  if (write.authority.weight < current.authority.weight) {
    return {
      operation: "UPDATE",
      outcome: "approve",
      reason: `${write.authority.by} (weight ${write.authority.weight}) would overwrite ${current.authority.by} (weight ${current.authority.weight}): that needs an approval`,
    };
  }
  return { operation: "UPDATE", outcome: "apply", reason: "supersedes the current fact" };
}

/** Values compare as stored: text ignoring surrounding space and case, numbers and booleans exactly. */
export function sameValue(a: FactValue, b: FactValue): boolean {
  if (typeof a === "string" && typeof b === "string")
    return a.trim().toLowerCase() === b.trim().toLowerCase();
  return a === b;
}
