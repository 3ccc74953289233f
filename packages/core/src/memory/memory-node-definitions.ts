import type { AuthorityOf, ExtractionItem, FactKey, FactScope, FactWrite } from "@governor/memory";

/** A value given as is, or read from the run's state when the step runs. */
export type FromState<TState, T> = T | ((state: TState) => T);

/**
 * What a step reads from structured memory: the partitions, the keys it always needs and a
 * query for the rest. The facts are read when the step runs (every turn of an agent), so a
 * fact changed mid-run is current at the next turn; only facts true now are given, masked.
 */
export interface StepMemory<TState> {
  /** Partitions to read, e.g. the tenant's rules and the customer's preferences. */
  readonly scopes: FromState<TState, readonly FactScope[]>;
  /** Semantic search through the store's index: the facts relevant to this step. */
  readonly query?: (state: TState) => string | undefined;
  /** Keys the step always needs, whatever the query finds. */
  readonly keys?: FromState<TState, readonly FactKey[]>;
  /** The most tokens the facts may take in the prompt (default 300). */
  readonly maxTokens?: number;
}

/**
 * Reads facts into the run's state: `into` receives the context text (the block a prompt
 * shows, empty when nothing is on record), `factsInto` the facts themselves. The read is
 * checked against the run principal's memory scopes (a partition it may not read fails the
 * run with MEMORY_SCOPE_DENIED) and audited: kind "memory", outcome "read", with the fact ids.
 *
 * @example
 * rules: {
 *   kind: "memory-read",
 *   scopes: (s) => [{ tenant: s.tenant }],
 *   keys: [{ entity: "zone-b", attribute: "carrier" }],
 *   query: (s) => s.request,
 *   into: "rules",
 * }
 */
export interface MemoryReadNode<TState> extends StepMemory<TState> {
  readonly kind: "memory-read";
  readonly description?: string;
  /** The state field that receives the context text. */
  readonly into: string;
  /** A state field that receives the facts given (records with their ids, kinds and clocks). */
  readonly factsInto?: string;
  /**
   * Time travel, system time: read what was known then (e.g. a checkpoint's `ts`, see
   * `memoryAsOfCheckpoint`). Undefined: now.
   */
  readonly knownAt?: (state: TState) => Date | string | undefined;
  /** Time travel, world time: read what was true then. Undefined: `knownAt`, else now. */
  readonly validAt?: (state: TState) => Date | string | undefined;
}

/**
 * Facts a model extracts from the conversation (`remember` in @governor/memory): candidates
 * checked against their schema, matched to existing keys, then reconciled like any write. The
 * authority of each message comes from the workflow, never from the model; the model reads the
 * conversation masked.
 */
export interface MemoryExtraction<TState> {
  /** The partition the facts go to. */
  readonly scope: FromState<TState, FactScope>;
  /** What to extract from. Default: the run's conversation (`messages`). */
  readonly from?: (state: TState) => readonly ExtractionItem[];
  /** The authority each message or tool result carries (and the strongest kind it may state). */
  readonly authorityOf: AuthorityOf;
  /** Which of compile's named `models` extracts. Default: compile's `model`. */
  readonly model?: string;
}

/**
 * Writes facts: asserts (ADD, UPDATE or NONE, decided by the store against the current fact
 * and its authority) and retractions (DELETE), as one atomic batch under the run's principal,
 * thread and node. A re-run of the node by LangGraph (resume, recovery) returns the batch's
 * events and writes nothing again. A write that needs an approval (a lower authority against
 * a higher one) does not stop the run: it waits in the store for `governor memory approve`,
 * and its event says "pending-approval". `into` receives the events.
 *
 * @example
 * remember: {
 *   kind: "memory-write",
 *   facts: (s) => [{ scope: { tenant: s.tenant }, entity: "zone-b", attribute: "carrier",
 *     value: "Carrier Y", kind: "mandate", authority: { by: "ops-director", weight: 90 },
 *     source: { type: "message" } }],
 *   into: "memoryEvents",
 * }
 */
export interface MemoryWriteNode<TState> {
  readonly kind: "memory-write";
  readonly description?: string;
  /** The writes of this step; an empty list writes nothing. Declare `facts` or `extract`. */
  readonly facts?: (state: TState) => readonly FactWrite[] | Promise<readonly FactWrite[]>;
  /** Facts extracted from the conversation by a model. Declare `facts` or `extract`. */
  readonly extract?: MemoryExtraction<TState>;
  /** The state field that receives the batch's events (what each write did, or why it waits). */
  readonly into?: string;
}
