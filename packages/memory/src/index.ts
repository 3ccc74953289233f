export {
  buildMemoryContext,
  type MemoryContext,
  type MemoryContextOptions,
} from "./context/memory-context.js";
export { renderFact } from "./context/render-fact.js";
export {
  type AssertFact,
  type Authority,
  assertFactSchema,
  authoritySchema,
  FACT_KINDS,
  type FactKey,
  type FactKind,
  type FactRecord,
  type FactScope,
  type FactSource,
  type FactStatus,
  type FactValue,
  type FactWrite,
  factScopeSchema,
  factSourceSchema,
  factValueSchema,
  factWriteSchema,
  kindRank,
  type ParsedFactWrite,
  type RetractFact,
  retractFactSchema,
} from "./fact.js";
export type { FactIndex } from "./fact-index.js";
export { factText } from "./fact-text.js";
export type { MemoryApprovalRequest, MemoryEvent, MemoryOperation } from "./memory-event.js";
export {
  type AsOf,
  type DecideOptions,
  MEMORY_NODE,
  MemoryStore,
  type MemoryStoreOptions,
  type MemoryWriteContext,
} from "./memory-store.js";
export { type Reconciliation, reconcile, sameValue } from "./reconcile.js";
export {
  assertMemoryAccess,
  type MemoryAccess,
  memoryAccessRefusal,
  memoryScopesFor,
} from "./scope-access.js";
export { describeScope, scopeKey } from "./scope-key.js";
