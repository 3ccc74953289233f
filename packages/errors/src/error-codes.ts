/**
 * Every code a GovernorError can carry, with what it means. A fixed table (as tRPC keeps
 * its codes) so callers can switch on a code and the CLI can print the same words.
 */
export const ERROR_CODES = {
  WORKFLOW_INVALID: "the workflow definition does not have the required shape",
  WORKFLOW_UNKNOWN_NODE: "an edge or guard names a node the workflow does not declare",
  WORKFLOW_UNKNOWN_TOOL: "a node names a tool the workflow does not declare",
  WORKFLOW_CYCLE: "the workflow graph has a cycle",
  WORKFLOW_UNREACHABLE: "a node cannot be reached from START",
  WORKFLOW_DEAD_END: "a node or branch leads nowhere",
  WORKFLOW_UNGUARDED_ACTION: "an action can be reached without passing its precondition or policy gate",
  WORKFLOW_LOAD_FAILED: "a workflow module could not be loaded",
  SOURCE_UNREGISTERED:
    "a run names a workflow source that is not a sample or registered in the operator's config; nothing was loaded",
  INPUT_INVALID: "the run's input does not match the workflow's state schema",
  STATE_UPDATE_INVALID: "a node returned an update that does not match the state schema",
  ROUTE_INVALID: "a route chose a branch it did not declare",
  CONTRACT_VIOLATION: "a tool call's arguments do not satisfy its contract",
  IDENTITY_SCOPE: "the principal lacks a scope the tool requires",
  POLICY_DENIED: "policy denies the tool call",
  APPROVAL_REQUIRED: "the call needs a human approval that has not been given",
  APPROVAL_INVALID: "an approval decision does not match the request it answers",
  TOOL_FAILED: "a tool's handler failed",
  RUN_NOT_FOUND: "no run with that thread id exists",
  RUN_NOT_INTERRUPTED: "the run is not waiting for a decision",
  RESUME_INVALID: "a resume payload does not have the required shape",
  RUN_BUSY: "another process (or call) is driving the run; try again when it is done",
  RUN_NOT_RESUMABLE: "the run has nothing left to run, or waits for a human decision instead",
  SAMPLE_UNKNOWN: "no sample workflow has that name",
  IDENTITY_TOKEN_INVALID: "a delegation or approver token is forged, malformed or for another audience",
  IDENTITY_TOKEN_EXPIRED: "a delegation or approver token has expired",
  IDENTITY_TOKEN_REVOKED: "a delegation was revoked; runs acting under it stop",
  IDENTITY_UNKNOWN: "an agent, role or user is not configured",
  POLICY_LOAD_FAILED: "a policy or schema file could not be loaded or does not validate",
  POLICY_CONTRACT_MISMATCH: "a policy schema disagrees with a tool's zod contract",
  TOOL_TIMEOUT: "a tool's handler did not finish in time",
  CIRCUIT_OPEN: "a tool's circuit breaker is open after repeated failures",
  ESCALATED: "the run was handed to a human",
  BUDGET_EXCEEDED: "a run or principal budget is used up",
  LOOP_DETECTED: "the model repeated the same tool call with the same arguments",
  AGENT_TURN_LIMIT: "an agent loop used up its maxTurns without finishing",
  ROUTE_FORGED:
    "a run was sent to a node no decision on record leads to (an edited thread state, or a Command goto)",
  KILLED: "a kill switch stopped the run",
  MEMORY_FACT_INVALID:
    "a memory fact or write is malformed (unknown scope, bad key or value); nothing was written",
  MEMORY_SCOPE_DENIED:
    "the principal may not read or write that memory partition (another tenant, agent or user)",
  MEMORY_AS_OF_INVALID: "an as-of time is malformed, in the future, or before anything was recorded",
  MEMORY_EXTRACTION_INVALID:
    "the model's fact extraction or matching output failed its schema; nothing was written",
  MEMORY_PROPOSAL_STALE:
    "a memory change waiting for approval no longer applies: its key changed since it was proposed",
  MEMORY_INDEX_FAILED:
    "the memory vector index (Mem0) failed to apply or answer; a change stays in the outbox and is retried at the next sync",
  CONFIG_INVALID: "a configuration value is invalid",
  VALUE_UNSERIALIZABLE:
    "a value cannot be written to a journal as JSON (a circular reference, or nested too deep)",
  STORE_NOT_FOUND: "no Governor store exists at that path: a command that only reads never creates one",
  WORKFLOW_VERSION_MISMATCH:
    "the run was recorded under another version of the workflow, so replaying it would not test the same graph",
  REPLAY_UNAVAILABLE:
    "the run's records do not hold what a replay needs (it has not finished, or a model output or tool result was not recorded)",
  TRACING_CONFIG_INVALID:
    "the tracing settings are malformed (an endpoint that is not a URL, one Langfuse key without the other)",
  TRACING_EXPORT_FAILED:
    "spans could not be delivered to the tracing endpoint (refused, unauthorized or timed out); runs are unaffected",
  STORE_CONFIG_INVALID:
    "DATABASE_URL (or another store setting) is malformed: not a postgres:// URL, or a part of it is invalid",
  STORE_UNREACHABLE:
    "the store's database cannot be reached (refused, timed out, authentication failed, or it went away mid-run)",
  STORE_SCHEMA_MISMATCH:
    "the store's schema was written by a newer Governor, or is older than this one and not migrated: run governor migrate with the newer version",
  STORE_BACKEND_MISSING:
    "DATABASE_URL names a backend whose package is not installed (@governor/store-postgres)",
  QUEUE_CONFIG_INVALID: "REDIS_URL (or another queue setting) is malformed",
  QUEUE_UNREACHABLE: "the run queue's Redis cannot be reached (refused, timed out, or authentication failed)",
  JOB_INVALID:
    "a queued job is not one Governor enqueued (malformed or tampered payload, or a thread the store does not know); it was refused",
  RATE_LIMITED: "a tool's rate limit is used up for now across every worker; the call was not made",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
