import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { AuditRecord } from "@governor/observability";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { GovernorRuntime, type RunOutcome } from "../runtime/governor-runtime.js";
import { GovernorStore } from "../runtime/governor-store.js";
import { untraceThread } from "../tracing/untraced-threads.js";
import type { Workflow } from "../workflow/define-workflow.js";
import { compareDecisions, type DecisionComparison, decisionsOf } from "./decision-diff.js";
import { RecordedApprovals } from "./recorded-approvals.js";
import { copyRecordedEffects } from "./recorded-effects.js";
import { recordedInput } from "./recorded-input.js";
import { recordedTaskWrites } from "./recorded-tasks.js";
import { ReplayChatModel, recordedModelOutputs } from "./replay-model.js";
import { type ReplayLog, replayWorkflow, type UnexecutedCall } from "./replay-workflow.js";
import { workflowVersion } from "./workflow-version.js";

export interface ReplayOptions {
  /**
   * Replay a run recorded under another workflow version, or before versions were recorded:
   * the report then says so (`versionMismatch`), and call hashes are not compared.
   */
  readonly force?: boolean;
}

/** What `replayRun` found: each decision of the original against the replay's, and a verdict. */
export interface ReplayReport {
  readonly threadId: string;
  readonly workflow: string;
  /** "same" when every decision and the final status came out the same. */
  readonly verdict: "same" | "different";
  readonly originalStatus: string;
  readonly replayStatus: RunOutcome["status"];
  readonly recordedVersion?: string;
  readonly currentVersion: string;
  /** Set when forced past a version mismatch: why the versions are not comparable. */
  readonly versionMismatch?: string;
  readonly decisions: readonly DecisionComparison[];
  /** Calls the replay wanted to execute that the original never executed: refused, not run. */
  readonly unexecuted: readonly UnexecutedCall[];
  /** Task steps answered from the original's checkpoints, and those whose code ran (no record left). */
  readonly tasks: { readonly recorded: number; readonly rerun: readonly string[] };
  /** Policy questions asked with the original's recorded facts, and with live ones (calls it never asked about). */
  readonly policyFacts: { readonly recorded: number; readonly live: number };
  /** Model answers the replay asked for (each from the record; no model is called). */
  readonly modelAnswers: number;
  /** Recorded model answers the replay never asked for. */
  readonly unusedModelAnswers: number;
  /** Approvals re-applied through the scratch runtime's approval path. */
  readonly approvalsApplied: number;
  /** Why the replay stopped short of the end, when it did (an approval the original never got…). */
  readonly stoppedEarly?: string;
  /** Why the replay failed, when it did. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** How many approval rounds a replay answers before it gives up: a guard against a loop that never ends. */
const MAX_ROUNDS = 100;

/**
 * Re-executes a finished run of `workflow` from its records and reports whether every
 * decision comes out the same. Nothing real happens: it runs in a scratch store (a temporary
 * directory, deleted afterwards) under the same thread id, with
 * - a model that answers each step with the original's recorded output (`ReplayChatModel`);
 * - tools whose handlers are never called: the original's effect journal is copied in, so
 *   each call the original executed is read back with its recorded result (or failure), and
 *   a call it never executed is refused and listed in `unexecuted`;
 * - each approval the original's approvers decided applied again, same approver and same
 *   answer, through the scratch runtime's real approval path (signed with the scratch
 *   store's own approval key, not the original's);
 * - task nodes answering with the state updates the original's checkpoints recorded for
 *   them (see `replayWorkflow`), so the replay decides on the state the original decided on;
 * - the workflow's policy asked with the facts the original's policy records kept for the
 *   same call (context and resource), so a system of record that changed since does not
 *   read as a changed decision; a call the original never asked about gets the live facts;
 * - preconditions and routes running the workflow's code, as they did: by contract they
 *   read but do not act (every effect goes through a tool). A precondition's record keeps
 *   its verdict, not its facts, so one that reads a system changed since (or a sample's
 *   in-memory system, which a fresh process holds without the original's effects) can
 *   come out differently: the report shows it.
 *
 * The run's input and budget are read from its first checkpoint (the audit record's copy is
 * masked), its principal from the run registry, without its delegation grant (the token was
 * verified when the run started; the scratch store knows no revocations).
 *
 * @throws {GovernorError} RUN_NOT_FOUND for an unknown thread; REPLAY_UNAVAILABLE when the
 *   run has not finished (waiting or running), its start or input was not recorded, or the
 *   replay reaches a model answer the record did not keep (a memory extraction's), naming the
 *   step and turn (a step asking for more turns than the original took is a difference, in
 *   the report's `stoppedEarly`); WORKFLOW_VERSION_MISMATCH when the run belongs to another workflow, or (without
 *   `force`) was recorded under another workflow version or before versions were recorded.
 */
export async function replayRun(
  runtime: GovernorRuntime,
  workflow: Workflow,
  threadId: string,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const run = await runtime.getRun(threadId);
  if (run.status !== "completed" && run.status !== "failed") {
    throw new GovernorError(
      "REPLAY_UNAVAILABLE",
      `Run ${threadId} is ${run.status}: only a finished run (completed or failed) can be replayed`,
      { threadId, status: run.status },
    );
  }
  const records = await runtime.store.audit.list(threadId);
  const started = records.find((record) => record.kind === "run" && record.outcome === "started");
  const currentVersion = workflowVersion(workflow);
  const versionMismatch = checkVersion(threadId, run.workflow, workflow, started, currentVersion, options);
  const start = await recordedInput(runtime.store, workflow, threadId);
  if (!started || !start) {
    throw new GovernorError(
      "REPLAY_UNAVAILABLE",
      `Run ${threadId} has no recorded start with its input (its first checkpoint): it cannot be replayed`,
      { threadId },
    );
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-replay-"));
  // The scratch store is always the embedded one: a replay writes nothing to the real store.
  const scratchStore = new GovernorStore(dir);
  const scratch = new GovernorRuntime({ store: scratchStore });
  // The replay runs under the original's thread id: its spans would join the original's trace.
  const traceAgain = untraceThread(threadId);
  try {
    copyRecordedEffects(runtime.store, scratchStore, threadId);
    const model = new ReplayChatModel(recordedModelOutputs(records));
    const tasks = await recordedTaskWrites(runtime.store, workflow, threadId, model);
    const { workflow: replayed, log } = replayWorkflow(workflow, tasks, records);
    const models = { model, cheapModel: model, models: namedModels(workflow, model) };
    const principal = withoutGrant(run.principal);
    let outcome = await scratch.start(replayed, start.input, {
      threadId,
      principal,
      source: run.source,
      ...(start.budget ? { budget: start.budget } : {}),
      ...models,
    });
    const approvals = new RecordedApprovals(records);
    let stoppedEarly: string | undefined;
    for (let round = 0; outcome.status === "waiting"; round++) {
      const request = outcome.approvals?.[0];
      const recorded = request && approvals.next(request);
      if (!request || !recorded || round >= MAX_ROUNDS) {
        stoppedEarly = !request
          ? "the replay waits for more budget; budget answers are not replayed"
          : round >= MAX_ROUNDS
            ? `the replay still waited after ${MAX_ROUNDS} approval rounds`
            : `the replay waits for an approval at ${request.node} (${request.tool}) the original never decided`;
        break;
      }
      outcome = await scratch.decide(
        replayed,
        threadId,
        { ...recorded, requestId: request.requestId },
        models,
      );
    }
    // An answer the original got but the record did not keep: the rest of the run is not a
    // replay. (A step asking more than the original asked is the replay diverging: a difference.)
    if (model.missing?.unrecorded) {
      const { node, turn, why } = model.missing;
      throw new GovernorError(
        "REPLAY_UNAVAILABLE",
        `Run ${threadId} cannot be replayed past step ${node} (model turn ${turn + 1}): ${why}`,
        { threadId, node, turn },
      );
    }
    const compared = compareDecisions(
      decisionsOf(records),
      decisionsOf(await scratch.store.audit.list(threadId)),
      {
        compareCallHash: versionMismatch === undefined,
      },
    );
    return report({
      threadId,
      workflow: workflow.name,
      originalStatus: run.status,
      outcome,
      recordedVersion:
        typeof started.data.workflowVersion === "string" ? started.data.workflowVersion : undefined,
      currentVersion,
      versionMismatch,
      compared,
      log,
      model,
      modelOutputs: recordedModelOutputs(records).length,
      approvalsApplied: approvals.applied,
      stoppedEarly:
        stoppedEarly ??
        (model.missing
          ? `step ${model.missing.node} asked the model for turn ${model.missing.turn + 1}, which the original never asked for`
          : undefined),
    });
  } finally {
    traceAgain();
    scratch.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(input: {
  threadId: string;
  workflow: string;
  originalStatus: string;
  outcome: RunOutcome;
  recordedVersion?: string;
  currentVersion: string;
  versionMismatch?: string;
  compared: DecisionComparison[];
  log: ReplayLog;
  model: ReplayChatModel;
  modelOutputs: number;
  approvalsApplied: number;
  stoppedEarly?: string;
}): ReplayReport {
  const same =
    input.compared.every((item) => item.verdict === "same") &&
    input.outcome.status === input.originalStatus &&
    !input.log.unexecuted.length &&
    !input.stoppedEarly;
  return {
    threadId: input.threadId,
    workflow: input.workflow,
    verdict: same ? "same" : "different",
    originalStatus: input.originalStatus,
    replayStatus: input.outcome.status,
    recordedVersion: input.recordedVersion,
    currentVersion: input.currentVersion,
    ...(input.versionMismatch ? { versionMismatch: input.versionMismatch } : {}),
    decisions: input.compared,
    unexecuted: input.log.unexecuted,
    tasks: { recorded: input.log.recordedTasks, rerun: input.log.rerunTasks },
    policyFacts: { ...input.log.policyFacts },
    modelAnswers: input.model.calls,
    unusedModelAnswers: input.modelOutputs - input.model.calls,
    approvalsApplied: input.approvalsApplied,
    ...(input.stoppedEarly ? { stoppedEarly: input.stoppedEarly } : {}),
    ...(input.outcome.error
      ? { error: { code: input.outcome.error.code, message: input.outcome.error.message } }
      : {}),
  };
}

/**
 * Why the held workflow is not the one that ran, or undefined when it is. Without `force`
 * a mismatch throws; with it, the reason goes into the report.
 */
function checkVersion(
  threadId: string,
  recordedWorkflow: string,
  workflow: Workflow,
  started: AuditRecord | undefined,
  currentVersion: string,
  options: ReplayOptions,
): string | undefined {
  if (recordedWorkflow !== workflow.name) {
    throw new GovernorError(
      "WORKFLOW_VERSION_MISMATCH",
      `Run ${threadId} belongs to workflow "${recordedWorkflow}", not "${workflow.name}"`,
      { threadId, recorded: recordedWorkflow, current: workflow.name },
    );
  }
  const recorded = started?.data.workflowVersion;
  if (recorded === currentVersion) return undefined;
  const reason =
    typeof recorded === "string"
      ? `run ${threadId} was recorded under workflow version ${recorded}; this workflow is ${currentVersion}`
      : `run ${threadId} was recorded before workflow versions were recorded, so it cannot be shown to match ${currentVersion}`;
  if (options.force) return reason;
  throw new GovernorError(
    "WORKFLOW_VERSION_MISMATCH",
    `Cannot replay: ${reason}. Its nodes, tools, policy or fact code may have changed since; replay with force (--force) to compare anyway`,
    { threadId, recorded: typeof recorded === "string" ? recorded : null, current: currentVersion },
  );
}

/** The recorded principal without its delegation grant: nothing in the scratch store can revoke it. */
function withoutGrant(principal: Principal): Principal {
  const { delegation: _grant, ...rest } = principal;
  return rest;
}

/** The replay model under every name the workflow's routing rules pick from. */
function namedModels(workflow: Workflow, model: BaseChatModel): Record<string, BaseChatModel> {
  const names = new Set<string>();
  for (const node of Object.values(workflow.nodes)) {
    const rules = (node as { models?: { default?: string; rules?: readonly { use?: string }[] } }).models;
    if (rules?.default) names.add(rules.default);
    for (const rule of rules?.rules ?? []) if (rule.use) names.add(rule.use);
  }
  return Object.fromEntries([...names].map((name) => [name, model]));
}
