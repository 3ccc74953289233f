import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { FactKey, FactRecord, FactScope, MemoryStore } from "@governor/memory";

/** A checkpoint's time: its `ts` (ISO), a Date, or a state snapshot from `getState`/`getStateHistory`. */
export type CheckpointTime = string | Date | { readonly createdAt?: string };

export interface MemoryAsOfCheckpointOptions {
  /** World time the facts must hold at. Default: the checkpoint's own time. */
  readonly validAt?: Date | string;
  /** Only these keys. */
  readonly keys?: readonly FactKey[];
}

/**
 * What the agent knew at a checkpoint of a thread: the facts of `scope` as Governor held them
 * when the checkpoint was written (system time = the checkpoint's `ts`). A fact recorded after
 * the checkpoint is not in it, a fact superseded after it still is, so replaying or inspecting
 * a past step shows the rules that step was given.
 *
 * @example
 * for await (const snapshot of graph.getStateHistory({ configurable: { thread_id } })) {
 *   const known = memoryAsOfCheckpoint(store.memory, principal, { tenant: "acme" }, snapshot);
 * }
 * @throws {GovernorError} MEMORY_AS_OF_INVALID when the snapshot has no time, or the time is
 *   malformed, in the future or before anything was recorded in the partition;
 *   MEMORY_SCOPE_DENIED when the principal may not read the partition.
 */
export function memoryAsOfCheckpoint(
  store: MemoryStore,
  principal: Principal,
  scope: FactScope,
  checkpoint: CheckpointTime,
  options: MemoryAsOfCheckpointOptions = {},
): FactRecord[] {
  const knownAt = checkpointTime(checkpoint);
  return store.asOf(principal, scope, { knownAt, validAt: options.validAt ?? knownAt }, options.keys);
}

function checkpointTime(checkpoint: CheckpointTime): string | Date {
  if (typeof checkpoint === "string" || checkpoint instanceof Date) return checkpoint;
  const at = checkpoint?.createdAt;
  if (typeof at !== "string" || at === "") {
    throw new GovernorError(
      "MEMORY_AS_OF_INVALID",
      "the checkpoint has no time (createdAt): pass a snapshot from getState/getStateHistory or the checkpoint's ts",
    );
  }
  return at;
}
