import type { Principal } from "@governor/identity";
import type { FactScope } from "../fact.js";
import type { MemoryEvent } from "../memory-event.js";
import type { MemoryStore } from "../memory-store.js";
import { extractCandidates } from "./extract-candidates.js";
import type { AuthorityOf, ExtractionItem } from "./extraction-source.js";
import { matchCandidates } from "./match-candidates.js";
import type { ExtractionModel } from "./model-json.js";

export interface RememberOptions {
  /** Who writes: the store checks the partition against its scopes. */
  readonly principal: Principal;
  readonly scope: FactScope;
  readonly messages: readonly ExtractionItem[];
  /** The authority of each message's speaker or tool (see {@link extractCandidates}). */
  readonly authorityOf: AuthorityOf;
  readonly threadId?: string;
  /** The graph node writing, for the audit record and approval requests. */
  readonly node?: string;
  /** Written once under these keys (see `MemoryWriteContext.batchKey`): a graph node's re-run writes nothing. */
  readonly batchKey?: string | readonly string[];
  /** Today, as the extraction model is told it. Default: now. */
  readonly now?: Date;
}

/**
 * Remembers what a conversation established: extract candidate facts, match ambiguous keys to
 * existing ones (a model call only when a key is near but not equal to an existing one), then
 * one `store.write`, whose reconciliation decides ADD / UPDATE / DELETE / NONE and authority.
 *
 * All or nothing: the model's answers are checked in full before anything is written, and the
 * store writes the batch in one transaction, so a bad answer leaves memory as it was.
 * The partition's current facts are read first, so a principal that may not read the
 * partition is refused (and audited) before any model call.
 *
 * @example
 * const events = await remember(store, model, {
 *   principal, scope: { tenant: "acme" }, messages, threadId: "t1", node: "remember",
 *   authorityOf: (message) => speakers.authorityOf(message),
 * });
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID (see {@link extractCandidates} and
 * {@link matchCandidates}), MEMORY_FACT_INVALID, MEMORY_SCOPE_DENIED.
 */
export async function remember(
  store: MemoryStore,
  model: ExtractionModel,
  options: RememberOptions,
): Promise<MemoryEvent[]> {
  const existing = store.current(options.principal, options.scope);
  const candidates = await extractCandidates(
    model,
    { messages: options.messages },
    {
      scope: options.scope,
      authorityOf: options.authorityOf,
      ...(options.threadId ? { threadId: options.threadId } : {}),
      ...(options.now ? { now: options.now } : {}),
    },
  );
  if (candidates.length === 0) return [];
  const { writes } = await matchCandidates(model, candidates, existing);
  return store.write(
    {
      principal: options.principal,
      ...(options.threadId ? { threadId: options.threadId } : {}),
      ...(options.node ? { node: options.node } : {}),
      ...(options.batchKey !== undefined ? { batchKey: options.batchKey } : {}),
    },
    writes,
  );
}
