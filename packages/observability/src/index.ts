export { AuditAnchor, type HashAt } from "./audit-anchor.js";
export { recordHash, type VerifyChainOptions, verifyChain, verifyChainAsync } from "./audit-chain.js";
export { isDeduplicated, markDeduplicated } from "./audit-dedupe.js";
export { AUDIT_GUARANTEE } from "./audit-guarantee.js";
export {
  type AuditHead,
  FileHeadStore,
  type HeadRead,
  type HeadStore,
  MemoryHeadStore,
} from "./audit-head.js";
export { AuditKey } from "./audit-key.js";
export { AUDIT_ENV, auditAnchorFor } from "./audit-keys-from-store.js";
export { findInList, matchesAuditQuery } from "./audit-query.js";
export type {
  AuditEntry,
  AuditJournal,
  AuditKind,
  AuditProblem,
  AuditQuery,
  AuditRecord,
  AuditVerification,
  Awaitable,
  SyncAuditJournal,
} from "./audit-record.js";
export { GENESIS_HASH } from "./audit-record.js";
export { withAppend } from "./audit-with-append.js";
export { whenReady } from "./awaitable.js";
export { canonicalJson, hashOf, sha256Hex } from "./canonical-json.js";
export { type PlainJson, setOwn, toPlainJson } from "./plain-json.js";
export { buildRunTimeline } from "./run-report/build-timeline.js";
export {
  COST_GROUPINGS,
  type CostFigures,
  type CostGroup,
  type CostGrouping,
  type CostInput,
  type CostReport,
  costReport,
} from "./run-report/cost-report.js";
export { parseSince } from "./run-report/parse-since.js";
export type { RunBudgetState, RunLimits, RunReportStatus, RunSummary } from "./run-report/run-summary.js";
export { type ModelTotals, type RunTotals, runTotals } from "./run-report/run-totals.js";
export type {
  ApprovalEntry,
  ControlEntry,
  DecisionEntry,
  ModelCallEntry,
  RunEventEntry,
  RunOutcomeSummary,
  RunTimeline,
  TimelineEntry,
  ToolCallEntry,
} from "./run-report/timeline.js";
export { secretFile } from "./secret-file.js";
export { SqliteAuditJournal, type SqliteAuditJournalOptions } from "./sqlite-audit-journal.js";
export { storedRecordHash } from "./stored-record-hash.js";
export { type TracingCallbackOptions, tracingCallbacks } from "./tracing/langchain-callbacks.js";
export { GOVERNOR_SCOPE, runRootSpanContext, traceIdOf } from "./tracing/run-root.js";
export { DISABLED_TRACING, startTracing, startTracingOrWarn } from "./tracing/start-tracing.js";
export {
  type LangfuseTracing,
  type OtlpTracing,
  type TracingConfig,
  type TracingEnv,
  tracingConfigFromEnv,
} from "./tracing/tracing-config.js";
export type { ShutdownOptions, StartTracingOptions, TracingHandle } from "./tracing/tracing-handle.js";
export {
  type ExportCounts,
  type ExportProblem,
  type ExportProblemKind,
  type TracingReport,
  tracingExportError,
} from "./tracing/tracing-report.js";
