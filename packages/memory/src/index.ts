export {
  type AuthorityRegistry,
  authorityCeiling,
  authorityRefusal,
  DEFAULT_OWN_WEIGHT,
} from "./authority-check.js";
export {
  buildMemoryContext,
  type MemoryContext,
  type MemoryContextOptions,
} from "./context/memory-context.js";
export { renderFact } from "./context/render-fact.js";
export {
  type ExtractCandidatesOptions,
  type ExtractionInput,
  extractCandidates,
} from "./extraction/extract-candidates.js";
export {
  type ExtractedFact,
  type ExtractionOutput,
  extractionOutputSchema,
  MAX_EXTRACTED_VALUE,
  type MatchingOutput,
  matchingOutputSchema,
} from "./extraction/extraction-schema.js";
export type {
  AuthorityOf,
  ExtractionItem,
  SourceAuthority,
  ToolResultInput,
} from "./extraction/extraction-source.js";
export {
  type CandidateMatch,
  type MatchCandidatesOptions,
  type MatchMethod,
  type MatchResult,
  matchCandidates,
} from "./extraction/match-candidates.js";
export { type ExtractionModel, parseModelJson } from "./extraction/model-json.js";
export { EXTRACTION_SYSTEM_PROMPT, MATCHING_SYSTEM_PROMPT } from "./extraction/prompts.js";
export { type RememberOptions, remember } from "./extraction/remember.js";
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
export { configuredEmbeddings } from "./mem0/configured-embeddings.js";
export { type ContentOnly, contentOnlyModel } from "./mem0/content-only-model.js";
export {
  DEFAULT_EMBEDDINGS_MODEL,
  type EmbeddingsEnv,
  embeddingsFromEnv,
} from "./mem0/embeddings-from-env.js";
export { LocalEmbeddings, localEmbeddings } from "./mem0/local-embeddings.js";
export { Mem0FactIndex, type Mem0FactIndexOptions, type Mem0HistoryEvent } from "./mem0/mem0-fact-index.js";
export { type OpenMemoryStoreOptions, openMemoryStore } from "./mem0/open-memory-store.js";
export type { MemoryApprovalRequest, MemoryEvent, MemoryOperation } from "./memory-event.js";
export {
  type AsOf,
  type DecideOptions,
  MAX_BATCH_WRITES,
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
