// Workflow authoring

// Errors
export {
  ERROR_CODES,
  type ErrorCode,
  GovernorError,
  type WorkflowIssue,
  WorkflowValidationError,
} from "@governor/errors";
export { traceIdOf } from "@governor/observability";
export type { ApprovalBatch, ApprovalBatchAnswer } from "./approvals/approval-batch.js";
export {
  type AnswerRefusal,
  type ApprovalAnswer,
  type ApprovalRequest,
  approvalAnswerSchema,
} from "./approvals/approval-request.js";
export { type ApprovalUseLedger, MemoryApprovalUseLedger } from "./approvals/approval-uses.js";
export { approverEntitlementProblem, eligibleApprovers } from "./approvals/eligible-approvers.js";
export {
  auditRefusedDecision,
  type DecisionAttempt,
  type DecisionRefusal,
} from "./approvals/refused-decision.js";
// Execution control: budgets, loop guard, kill switch
export {
  BUDGET_GRANT_SCOPE,
  type BudgetAnswer,
  type BudgetExtra,
  type BudgetRequest,
  budgetAnswerSchema,
  budgetGrantBinding,
  budgetGrantHash,
} from "./budget/budget-request.js";
// Model routing: which of the named models answers each turn
export { checkModelRules } from "./budget/check-model-rules.js";
export { type SpendEntry, type SpendLedger, type SpendRow, spendKey, utcDay } from "./budget/daily-spend.js";
export type { ModelRoutingRules, ModelRule } from "./budget/model-rules.js";
export { type RoutedTurn, type RouteTurnInput, routeTurn } from "./budget/route-turn.js";
export { type BudgetLimit, parseBudget, type RunBudget, runBudgetSchema } from "./budget/run-budget.js";
export type { ModelUsageTotals, RunUsage } from "./budget/run-usage.js";
export { type ModelChoice, type RoutingFacts, selectModel } from "./budget/select-model.js";
export { canonicalId } from "./control/canonical-id.js";
export { delegationLapse } from "./control/delegation-check.js";
export type { DelegationRevocation, KillRecord, KillScope, KillSwitch } from "./control/kill-switch.js";
// What a store backend implements and reuses (@governor/store-postgres, the contract suites)
export { KILL_SWITCH_THREAD, type KillSwitchStore, killScope } from "./control/kill-switch.js";
export { callFingerprint } from "./control/loop-guard.js";
export { DEFAULT_MAX_ARGUMENT_BYTES, DEFAULT_MAX_INPUT_BYTES } from "./control/payload-size.js";
export type { RunStop } from "./control/run-stop.js";
export { workflowAgents } from "./control/workflow-agents.js";
export { DEFAULT_YIELD_SLICE_MS, setYieldSlice } from "./control/yield-to-event-loop.js";
export { callHash, idempotencyKey } from "./gateway/call-hash.js";
export {
  type CallLimitSettings,
  type CallRefusalReason,
  CallRefusedError,
  isCallRefused,
  isToolFailure,
  type ToolCallLimits,
} from "./gateway/call-limits.js";
export {
  type EffectFailure,
  type EffectJournal,
  type EffectRecord,
  type EffectRow,
  effectRecordOf,
  SqliteEffectJournal,
} from "./gateway/effect-journal.js";
export {
  describeExecution,
  type ExecutionFailure,
  type ExecutionResult,
  type ExecutionSuccess,
  type ToolFailure,
} from "./gateway/execution-result.js";
export { InProcessToolCallLimits } from "./gateway/in-process-call-limits.js";
export type { ProposedCall } from "./gateway/proposed-call.js";
export {
  type CircuitStatus,
  type ExecutionFailureReason,
  RESILIENCE_DEFAULTS,
} from "./gateway/resilience.js";
export { type CallScope, type GatewayDecision, ToolGateway } from "./gateway/tool-gateway.js";
// Compiling and running
export { type CompiledWorkflow, type CompileOptions, compile } from "./graph/compile.js";
export type { GovernorEvent } from "./graph/events.js";
export type { GovernorChannel } from "./graph/governor-channel.js";
export { keepInterruptedTasksNext, withInterruptedNext } from "./graph/interrupted-next.js";
export {
  type JsonSchema,
  publishStateSchema,
  type StateJsonSchemas,
  stateJsonSchemas,
} from "./graph/state-json-schema.js";
// Structured memory in the graph: memory-read / memory-write nodes, a step's `memory`, time travel
export {
  type CheckpointTime,
  type MemoryAsOfCheckpointOptions,
  memoryAsOfCheckpoint,
} from "./memory/memory-as-of-checkpoint.js";
export type {
  FromState,
  MemoryReadNode,
  MemoryWriteNode,
  StepMemory,
} from "./memory/memory-node-definitions.js";
export { scratchMemoryStore } from "./memory/scratch-memory-store.js";
export { fail, pass } from "./nodes/precondition-node.js";
// A governed drop-in for LangGraph's ToolNode (createReactAgent, hand-written graphs)
export { GovernedToolNode, governedToolNode } from "./prebuilt/governed-tool-node.js";
export type {
  GovernedToolStores,
  GovernedToolsOptions,
  ToolGovernance,
} from "./prebuilt/governed-tools-options.js";
export { requirePrecondition } from "./prebuilt/governor-tools.js";
export { type CallInvoker, type GovernedTurn, ToolCallGovernor } from "./prebuilt/tool-call-governor.js";
export { type ToolNodeInput, type Turn, type TurnCall, turnOf } from "./prebuilt/turn-calls.js";
export {
  type AuditMaskOptions,
  auditMaskOptions,
  type MaskedValue,
  maskForDisplay,
  maskingAuditJournal,
  maskRecordData,
  maskText,
} from "./privacy/audit-mask.js";
export type { PiiKind } from "./privacy/detectors.js";
// Privacy
export { PiiMasker, type PrivacyOptions } from "./privacy/pii-mask.js";
export { type RevealedRequest, revealPendingRequest } from "./privacy/reveal-request.js";
export type { DecisionComparison, ReplayedDecision } from "./replay/decision-diff.js";
export { type RecordedModelOutput, ReplayChatModel, recordedModelOutputs } from "./replay/replay-model.js";
export { type ReplayOptions, type ReplayReport, replayRun } from "./replay/replay-run.js";
export type { UnexecutedCall } from "./replay/replay-workflow.js";
export {
  type NotRedecidable,
  type WhatIfChange,
  type WhatIfOptions,
  type WhatIfReport,
  type WhatIfStore,
  whatIf,
} from "./replay/what-if.js";
export { workflowVersion } from "./replay/workflow-version.js";
export {
  type ApproverDecision,
  GovernorRuntime,
  type GovernorRuntimeOptions,
  type PendingApproval,
  type PendingBudget,
  type ResumeOptions,
  type RunOptions,
  type RunOutcome,
} from "./runtime/governor-runtime.js";
export { defaultGovernorDir, GovernorStore } from "./runtime/governor-store.js";
export { SqliteKillSwitches } from "./runtime/kill-switches.js";
export {
  type Reconciliation,
  reconcileEffect,
  type UnknownEffect,
  unknownEffects,
} from "./runtime/reconcile-effect.js";
export { ownerIsGone as leaseOwnerIsGone, RunLeases } from "./runtime/run-leases.js";
export type { RunFilter, RunPage, RunRecord, RunStatus } from "./runtime/run-registry.js";
export { budgetStateOf, findRun, modelRecordsOf, runSummaryOf } from "./runtime/run-report-source.js";
export { SqliteSpendLedger } from "./runtime/spend-ledger.js";
export { storeKeys } from "./runtime/store-keys.js";
export { compileForServer } from "./samples/compile-for-server.js";
export { defineSample, type SampleCase, type SampleDefinition } from "./samples/define-sample.js";
export {
  namedModelEnv,
  type ResolvedNamedModels,
  resolveNamedModels,
  routingModelNames,
} from "./samples/named-models.js";
export { recordServerRuns, type ServerRunsOptions } from "./samples/server-runs.js";
export type { GovernorStores, GraphServices } from "./store/governor-stores.js";
export { type OpenStoreOptions, openGovernorStore } from "./store/open-governor-store.js";
export type { LeaseStore, RunStore } from "./store/run-store.js";
// Tools and the gateway
export {
  type AnyTool,
  type CircuitBreakerOptions,
  defineTool,
  type RateLimitOptions,
  type RetryOptions,
  type ToolCallContext,
  type ToolDefinition,
  type ToolFallback,
  type ToolRisk,
} from "./tools/define-tool.js";
export { GOVERNOR_SPAN_ATTRIBUTES, GOVERNOR_TRACER } from "./tracing/span-attributes.js";
export {
  type AgentIdentity,
  defineWorkflow,
  END,
  isWorkflow,
  START,
  type StateSchema,
  type Workflow,
  type WorkflowDefinition,
  type WorkflowEdge,
} from "./workflow/define-workflow.js";
export type {
  ActionNode,
  ApprovalNode,
  CheckResult,
  GateFacts,
  GateFactsEnv,
  GateNode,
  ModelNode,
  NodeKind,
  PreconditionNode,
  RouteNode,
  TaskNode,
  WorkflowNode,
} from "./workflow/node-definitions.js";
export { findWorkflowIssues, validate } from "./workflow/validate.js";
