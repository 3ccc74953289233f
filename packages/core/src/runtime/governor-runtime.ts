import { randomUUID } from "node:crypto";
import { formatIssues, GovernorError } from "@governor/errors";
import {
  agentPrincipal,
  delegatedPrincipal,
  delegationGrant,
  type Principal,
  signApprovalDecision,
  verifyDelegationToken,
} from "@governor/identity";
import type { PriceTable } from "@governor/models";
import { toPlainJson } from "@governor/observability";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Command, isGraphInterrupt } from "@langchain/langgraph";
import { type ApprovalRequest, decisionLifetime } from "../approvals/approval-request.js";
import {
  type BudgetExtra,
  type BudgetRequest,
  budgetAnswerSchema,
  budgetGrantBinding,
} from "../budget/budget-request.js";
import type { RunBudget } from "../budget/run-budget.js";
import type { RunUsage } from "../budget/run-usage.js";
import { delegationLapse } from "../control/delegation-check.js";
import { parseRunInput, trustedInput } from "../control/input-contract.js";
import { type DelegationRevocation, KILL_SWITCH_THREAD, type KillRecord } from "../control/kill-switch.js";
import { enterRunTurn } from "../control/yield-to-event-loop.js";
import type { ToolCallLimits } from "../gateway/call-limits.js";
import { type CompiledWorkflow, compile } from "../graph/compile.js";
import type { GovernorEvent } from "../graph/events.js";
import { recursionLimitFor } from "../graph/recursion-limit.js";
import { workflowVersion } from "../replay/workflow-version.js";
import type { GovernorStores } from "../store/governor-stores.js";
import { inRunSegment } from "../tracing/segment-span.js";
import type { Workflow } from "../workflow/define-workflow.js";
import { approvalResumeValue, requestToDecide } from "./approval-answers.js";
import { GovernorStore } from "./governor-store.js";
import { takeLease } from "./held-lease.js";
import {
  type ApprovalInterrupt,
  admitBudget,
  approvalInterrupts,
  finishedTasks,
  pendingApprovalRequests,
  pendingInterrupt,
  refuseIfKilled,
  usageIn,
} from "./run-control.js";
import type { RunRecord } from "./run-registry.js";
import { recordRunStatus, segmentEnd } from "./segment-end.js";

export interface RunOptions {
  /** Default: a new UUID. */
  readonly threadId?: string;
  /** Default: the workflow's own agent. */
  readonly principal?: Principal;
  /**
   * The agent acts for a user: a delegation token (`issueDelegationToken` from
   * @governor/identity) verified with the store's keys before the run starts. The effective
   * scopes are the agent's ∩ the user's. An expired or forged token refuses the run.
   */
  readonly delegation?: { readonly token: string };
  /**
   * The name a later process looks the workflow up by to resume it (`sample:NAME`,
   * `workflow:NAME`). It is written by whoever starts the run, so it is only ever a key:
   * the CLI resolves it against its samples and the operator's config, never imports it.
   * Default: the workflow's name.
   */
  readonly source?: string;
  readonly model?: BaseChatModel;
  /** The cheaper model model steps switch to as the budget nears its end. */
  readonly cheapModel?: BaseChatModel;
  /** Named models for steps that declare `models` routing rules (e.g. `{ fast, strong }`). */
  readonly models?: Readonly<Record<string, BaseChatModel>>;
  /** This run's limits, overriding the workflow's field by field; kept with the run. */
  readonly budget?: RunBudget;
  readonly onEvent?: (event: GovernorEvent) => void;
}

export type ResumeOptions = Pick<RunOptions, "model" | "cheapModel" | "models" | "onEvent">;

/** Where a run stands after `start` or `resume` returns. */
export interface RunOutcome {
  readonly threadId: string;
  readonly status: "completed" | "waiting" | "failed";
  /** The workflow state at the last checkpoint. */
  readonly state: Record<string, unknown>;
  /** The (first) approval the run waits for, when waiting. */
  readonly approval?: ApprovalRequest;
  /** Every approval the run waits for (an agent turn may ask for several at once), when waiting. */
  readonly approvals?: readonly ApprovalRequest[];
  /** The budget request the run waits for, when waiting for more budget. */
  readonly budgetRequest?: BudgetRequest;
  /** Steps, tokens and cost the run has used. */
  readonly usage?: RunUsage;
  /** When failed: the code says why (KILLED, BUDGET_EXCEEDED and LOOP_DETECTED are controls stopping it). */
  readonly error?: GovernorError;
}

/** One request a waiting run asks a human to decide, as `governor pending` lists it (one per request). */
export interface PendingApproval {
  readonly run: RunRecord;
  readonly request: ApprovalRequest;
}

/** A run waiting for a human to grant more budget (or stop it). */
export interface PendingBudget {
  readonly run: RunRecord;
  readonly request: BudgetRequest;
}

/** A human's decision on a waiting run's approval(s), before the runtime signs it. */
export interface ApproverDecision {
  readonly approver: string;
  readonly decision: "approve" | "reject";
  readonly reason?: string;
}

export interface GovernorRuntimeOptions {
  /** Default: `GOVERNOR_DIR` or `.governor/`. */
  readonly dir?: string;
  readonly store?: GovernorStores;
  readonly now?: () => number;
  /** Model prices (USD per million tokens), merged over the defaults of @governor/models. */
  readonly prices?: PriceTable;
  /**
   * Circuit breakers and rate limits around every tool call. Default: in this process, one
   * set per compiled graph; `RedisToolCallLimits` (@governor/resilience-redis) shares them
   * with every worker on the same Redis.
   */
  readonly limits?: ToolCallLimits;
}

/** How long a resume waits for another driver of the same run before RUN_BUSY. */
const LEASE_WAIT_MS = 120_000;

/**
 * Runs workflows durably: starts them, stops them at approvals, and resumes them later
 * from any process that opens the same store.
 *
 * @example
 * const runtime = new GovernorRuntime();
 * const outcome = await runtime.start(refundWorkflow, { request: "…" }, { model });
 * // decide() signs a decision bound to this run, node and request; an approver holding the
 * // signing key elsewhere resumes with `{ token }` from signApprovalDecision({ request: outcome.approval }).
 * if (outcome.status === "waiting")
 *   await runtime.decide(refundWorkflow, outcome.threadId, { approver: "supervisor:sam", decision: "approve" }, { model });
 * // An agent turn may wait for several calls (outcome.approvals): decide each by its
 * // requestId (the others stay pending), or all of them with decideAll.
 */
export class GovernorRuntime {
  readonly store: GovernorStores;
  readonly #now?: () => number;
  readonly #prices?: PriceTable;
  readonly #limits?: ToolCallLimits;
  readonly #compiled = new WeakMap<Workflow, Map<string, CompiledWorkflow>>();
  readonly #modelIds = new WeakMap<BaseChatModel, number>();
  #nextModelId = 1;

  constructor(options: GovernorRuntimeOptions = {}) {
    this.store = options.store ?? new GovernorStore(options.dir);
    this.#now = options.now;
    this.#prices = options.prices;
    this.#limits = options.limits;
  }

  /**
   * Starts a run.
   *
   * @throws {GovernorError} INPUT_INVALID when the input does not match the state schema,
   *   CONFIG_INVALID when the thread id is taken; a workflow that fails while running
   *   returns status "failed" with the error instead of throwing.
   */
  async start(workflow: Workflow, input: unknown, options: RunOptions = {}): Promise<RunOutcome> {
    // Each start in its own event-loop turn: a batch started at once would do all its setup in one flush.
    await enterRunTurn();
    const { fields, threadId, principal, budget } = await this.#admission(workflow, input, options);
    await this.store.runs.create({
      threadId,
      workflow: workflow.name,
      source: options.source ?? workflow.name,
      principal,
    });
    await this.store.audit.append({
      threadId,
      kind: "run",
      outcome: "started",
      principal: principal.id,
      // The version replay checks a recorded run against (see workflowVersion).
      data: { workflow: workflow.name, workflowVersion: workflowVersion(workflow), input: fields },
    });
    // The budget goes into the run's state: checkpointed with it, extended there by humans.
    const initial = budget ? trustedInput({ ...fields, governor: { budget } }) : fields;
    return this.#drive(workflow, threadId, principal, initial, options);
  }

  /**
   * Admits a run for a worker to start: checks the input, identity, kill switch and daily
   * budget exactly as `start` does (a refusal is audited the same way), records the run as
   * "queued" with its input, and runs nothing. Enqueue the thread id (`@governor/workers`);
   * a worker's `continue` starts it.
   *
   * @throws {GovernorError} INPUT_INVALID, CONFIG_INVALID (thread id taken), KILLED,
   *   BUDGET_EXCEEDED, IDENTITY_* as `start`.
   */
  async admit(workflow: Workflow, input: unknown, options: RunOptions = {}): Promise<{ threadId: string }> {
    const { threadId, principal, budget } = await this.#admission(workflow, input, options);
    // The raw input (re-parsed when the run starts, so defaults and transforms apply then as
    // now) and the budget the admission settled; the store is what a worker trusts, never the job.
    const queued: QueuedInput = { input: toPlainJson(input), ...(budget ? { budget } : {}) };
    await this.store.runs.create({
      threadId,
      workflow: workflow.name,
      source: options.source ?? workflow.name,
      principal,
      status: "queued",
      input: queued,
    });
    await this.store.audit.append({
      threadId,
      kind: "run",
      outcome: "queued",
      principal: principal.id,
      data: { workflow: workflow.name, workflowVersion: workflowVersion(workflow) },
    });
    return { threadId };
  }

  /**
   * Moves a run on from what the store says, under the run's lease: what a queue worker does
   * with a job, which carries nothing but the thread id. A queued run starts from its stored
   * input; a run left "running" (its worker died) continues from its last checkpoint, its
   * effects read back from the journal; a waiting run with a queued answer resumes with it.
   * Anything else (waiting with no answer, completed, failed) is returned as it stands:
   * a duplicate or re-delivered job changes nothing.
   *
   * @throws {GovernorError} RUN_NOT_FOUND; CONFIG_INVALID when the run belongs to another
   *   workflow; RUN_BUSY when another driver holds the run for too long.
   */
  async continue(workflow: Workflow, threadId: string, options: ResumeOptions = {}): Promise<RunOutcome> {
    return this.#exclusive(threadId, () => this.#continue(workflow, threadId, options));
  }

  async #continue(workflow: Workflow, threadId: string, options: ResumeOptions): Promise<RunOutcome> {
    const run = await this.#runOf(workflow, threadId);
    if (run.status === "completed" || run.status === "failed")
      return this.#outcomeNow(workflow, run, options);
    const snapshot = await this.#snapshot(workflow, threadId, options);
    // No checkpoint yet: queued, or its worker died before the first step was saved.
    if (
      run.status === "queued" ||
      (run.status === "running" && snapshot.config.configurable?.checkpoint_id === undefined)
    ) {
      return this.#startQueued(workflow, run, options);
    }
    const waitsForHuman =
      pendingApprovalRequests(snapshot, await this.#finished(snapshot)).length > 0 ||
      pendingInterrupt(snapshot, "budget") !== undefined;
    if (waitsForHuman) {
      const answer = await this.store.runs.answer(threadId);
      if (answer === undefined) {
        if (run.status !== "waiting") await this.store.runs.setStatus(threadId, "waiting");
        return this.#outcomeNow(workflow, { ...run, status: "waiting" }, options);
      }
      const outcome = await this.#resume(workflow, threadId, answer, options);
      // Cleared only once the answer was applied: a worker dying mid-resume leaves it for the next.
      await this.store.runs.setAnswer(threadId, undefined);
      return outcome;
    }
    // A run whose worker died is stopped, as a running run is at its next boundary, when a kill
    // switch covers it now: failed and audited, not left "running" with its job spent.
    const stopped = await this.#stopIfKilled(workflow, run, "recover", options);
    if (stopped) return stopped;
    // An answer kept for an interrupt this run is already past (its worker died mid-resume,
    // after the answer was applied) must not answer a later one.
    if ((await this.store.runs.answer(threadId)) !== undefined)
      await this.store.runs.setAnswer(threadId, undefined);
    await this.store.audit.append({
      threadId,
      kind: "run",
      outcome: "recovered",
      principal: run.principal.id,
      data: { next: snapshot.next, by: "worker" },
    });
    await this.store.runs.setStatus(threadId, "running");
    return this.#drive(workflow, threadId, run.principal, null, options);
  }

  /** Starts an admitted run from its stored input. A kill switch engaged meanwhile fails it, audited. */
  async #startQueued(workflow: Workflow, run: RunRecord, options: ResumeOptions): Promise<RunOutcome> {
    const stored = (await this.store.runs.input(run.threadId)) as QueuedInput | undefined;
    if (!stored || typeof stored !== "object" || !("input" in stored)) {
      throw new GovernorError("RUN_NOT_RESUMABLE", `Run ${run.threadId} has no stored input to start from`, {
        threadId: run.threadId,
      });
    }
    const stopped = await this.#stopIfKilled(workflow, run, "start", options);
    if (stopped) return stopped;
    const fields = parseRunInput(workflow, stored.input);
    const initial = stored.budget ? trustedInput({ ...fields, governor: { budget: stored.budget } }) : fields;
    await this.store.audit.append({
      threadId: run.threadId,
      kind: "run",
      outcome: "started",
      principal: run.principal.id,
      data: { workflow: workflow.name, workflowVersion: workflowVersion(workflow), input: fields },
      // A worker that died right here appends it once, not twice.
      dedupeKey: `${run.threadId}:run:started`,
    });
    await this.store.runs.setStatus(run.threadId, "running");
    return this.#drive(workflow, run.threadId, run.principal, initial, options);
  }

  /** A queued or orphaned run a kill switch now covers: failed with KILLED and audited, never driven. */
  async #stopIfKilled(
    workflow: Workflow,
    run: RunRecord,
    stage: "start" | "recover",
    options: ResumeOptions,
  ): Promise<RunOutcome | undefined> {
    try {
      await refuseIfKilled(this.store.kills, run.principal, `${stage} run ${run.threadId}`);
      return undefined;
    } catch (error) {
      if (!(error instanceof GovernorError)) throw error;
      await this.store.runs.setStatus(run.threadId, "failed", error.message);
      await this.store.audit.append({
        threadId: run.threadId,
        kind: "kill",
        outcome: stage === "start" ? "refused" : "stopped",
        principal: run.principal.id,
        data: { workflow: workflow.name, stage, code: error.code, message: error.message },
      });
      const snapshot = await this.#snapshot(workflow, run.threadId, options).catch(() => undefined);
      const state = (snapshot?.values ?? {}) as Record<string, unknown>;
      return { threadId: run.threadId, status: "failed", state, usage: usageIn(state), error };
    }
  }

  /** The run's outcome as its store and last checkpoint say, driving nothing. */
  async #outcomeNow(workflow: Workflow, run: RunRecord, options: ResumeOptions): Promise<RunOutcome> {
    const snapshot = await this.#snapshot(workflow, run.threadId, options);
    const state = (snapshot.values ?? {}) as Record<string, unknown>;
    const usage = usageIn(state);
    if (run.status === "waiting") {
      const approvals = pendingApprovalRequests(snapshot, await this.#finished(snapshot));
      const budgetRequest = pendingInterrupt<BudgetRequest>(snapshot, "budget");
      return {
        threadId: run.threadId,
        status: "waiting",
        state,
        usage,
        ...(approvals[0] ? { approval: approvals[0], approvals } : {}),
        ...(budgetRequest ? { budgetRequest } : {}),
      };
    }
    const error =
      run.status === "failed"
        ? new GovernorError("TOOL_FAILED", run.error ?? `Run ${run.threadId} failed`, {
            threadId: run.threadId,
          })
        : undefined;
    return {
      threadId: run.threadId,
      status: run.status === "failed" ? "failed" : "completed",
      state,
      usage,
      ...(error ? { error } : {}),
    };
  }

  /**
   * Signs an approver's decision as `decide` does and keeps it in the store for a worker,
   * instead of resuming here: enqueue the thread id next (`@governor/workers`). When several
   * requests wait, decisions queued one by one are kept together until a worker applies them.
   *
   * @throws {GovernorError} RUN_NOT_INTERRUPTED, RESUME_INVALID as `decide`.
   */
  async queueDecision(
    workflow: Workflow,
    threadId: string,
    decision: ApproverDecision & { readonly requestId?: string },
    options: ResumeOptions = {},
  ): Promise<void> {
    const requests = await this.pendingApprovals(workflow, threadId, options);
    if (!requests.length) throw notWaiting(threadId, (await this.getRun(threadId)).status, "a decision");
    const { requestId, ...answer } = decision;
    const request = requestToDecide(threadId, requests, requestId);
    const token = await this.#sign(answer, request);
    const earlier = requests.length > 1 ? tokensOf(await this.store.runs.answer(threadId)) : [];
    const tokens = [...earlier, token];
    await this.#queueAnswer(workflow, threadId, tokens.length === 1 ? { token } : { tokens }, options);
  }

  /** `decideAll`, kept for a worker: one signed token per waiting request. */
  async queueDecisionAll(
    workflow: Workflow,
    threadId: string,
    decision: ApproverDecision,
    options: ResumeOptions = {},
  ): Promise<void> {
    const requests = await this.pendingApprovals(workflow, threadId, options);
    if (!requests.length) throw notWaiting(threadId, (await this.getRun(threadId)).status, "a decision");
    const tokens = await Promise.all(requests.map((request) => this.#sign(decision, request)));
    await this.#queueAnswer(
      workflow,
      threadId,
      tokens.length === 1 ? { token: tokens[0] } : { tokens },
      options,
    );
  }

  /** `grantBudget`, kept for a worker. */
  async queueBudgetGrant(
    workflow: Workflow,
    threadId: string,
    grant: { approver: string; extra: BudgetExtra; reason?: string },
    options: ResumeOptions = {},
  ): Promise<void> {
    await this.store.runs.setAnswer(
      threadId,
      await this.#budgetGrantAnswer(workflow, threadId, grant, options),
    );
  }

  /** Checks an approval answer fits what the run waits for, then keeps it for a worker. */
  async #queueAnswer(
    workflow: Workflow,
    threadId: string,
    answer: unknown,
    options: ResumeOptions,
  ): Promise<void> {
    approvalResumeValue(threadId, await this.#approvalInterrupts(workflow, threadId, options), answer);
    await this.store.runs.setAnswer(threadId, answer);
  }

  /**
   * Answers the approval(s) a run waits for and runs it on.
   *
   * An approval node takes `{ token }` (one signed decision); an agent turn waiting for
   * several approvals at once takes `{ token }` or `{ tokens: [...] }`, each token deciding
   * the one request it was signed for, the others staying pending.
   *
   * @throws {GovernorError} RUN_NOT_FOUND, RUN_NOT_INTERRUPTED when the run is not waiting,
   *   RESUME_INVALID when the answer does not have that shape (see `approvalResumeValue`). A
   *   token that is well-formed but does not hold (forged, expired, for another call or
   *   request, replayed) is refused inside the approval node: the run stays waiting and the
   *   refusal is audited.
   */
  async resume(
    workflow: Workflow,
    threadId: string,
    answer: unknown,
    options: ResumeOptions = {},
  ): Promise<RunOutcome> {
    // Read what the run waits for only once it is ours: another resume may be changing it.
    return this.#exclusive(threadId, () => this.#resume(workflow, threadId, answer, options));
  }

  async #resume(
    workflow: Workflow,
    threadId: string,
    answer: unknown,
    options: ResumeOptions,
  ): Promise<RunOutcome> {
    const run = await this.#runOf(workflow, threadId);
    await refuseIfKilled(this.store.kills, run.principal, `resume run ${threadId}`);
    if (run.status !== "completed" && (await this.pendingBudget(workflow, threadId, options))) {
      return this.#answerBudget(workflow, run, answer, options);
    }
    // The checkpoint, not the registry, says whether the run waits: a process that died
    // after resuming leaves the registry at "running" while the interrupt still stands.
    const interrupts =
      run.status === "completed" ? [] : await this.#approvalInterrupts(workflow, threadId, options);
    if (!interrupts.length) throw notWaiting(threadId, run.status, "a decision");
    const resume = approvalResumeValue(threadId, interrupts, answer);
    await this.store.runs.setStatus(threadId, "running");
    return this.#drive(workflow, threadId, run.principal, new Command({ resume }), options);
  }

  /**
   * Runs `drive` while holding the run's lease (see RunLeases), waiting for another holder
   * to finish first.
   *
   * @throws {GovernorError} RUN_BUSY when the run stays held for LEASE_WAIT_MS.
   */
  async #exclusive<T>(threadId: string, drive: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LEASE_WAIT_MS;
    let lease = await takeLease(this.store.leases, threadId);
    for (let delay = 5; !lease; lease = await takeLease(this.store.leases, threadId)) {
      if (Date.now() > deadline) {
        throw new GovernorError(
          "RUN_BUSY",
          `Run ${threadId} is being driven by another process (or call) and stayed busy for ${LEASE_WAIT_MS / 1000} s; try again`,
          { threadId },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 250);
    }
    try {
      return await drive();
    } finally {
      await lease.release();
    }
  }

  /**
   * What a new run must pass before it is recorded, whether it starts here or in a worker:
   * its input, a free thread id, a workflow that compiles, then identity, the kill switch and
   * the daily budget. The compiled graph checks input too (every entry point does); checking
   * first means bad input records no run at all. A run refused at the door (bad token, kill
   * switch, spent budget) is still a decision: it is audited under the thread id it would have
   * had, though no run is recorded.
   */
  async #admission(workflow: Workflow, input: unknown, options: RunOptions) {
    const fields = parseRunInput(workflow, input);
    const threadId = options.threadId ?? randomUUID();
    if (await this.store.runs.get(threadId)) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `A run with thread id ${threadId} already exists; resume it or pick another id`,
        { threadId },
      );
    }
    // Compiling first means an invalid workflow fails before any run is recorded.
    this.#graph(workflow, options);
    const { principal, budget } = await this.#refusedAtStartAudited(workflow, threadId, async () => {
      const principal = await this.#principalFor(workflow, options);
      await refuseIfKilled(this.store.kills, principal, `start ${workflow.name}`);
      const now = (this.#now ?? Date.now)();
      return {
        principal,
        budget: await admitBudget(this.store.spend, workflow, principal, options.budget, now),
      };
    });
    return { fields, threadId, principal, budget };
  }

  async #refusedAtStartAudited<T>(workflow: Workflow, threadId: string, admit: () => Promise<T>): Promise<T> {
    try {
      return await admit();
    } catch (error) {
      if (error instanceof GovernorError) {
        const kind =
          error.code === "KILLED" ? "kill" : error.code === "BUDGET_EXCEEDED" ? "budget" : "identity";
        await this.store.audit.append({
          threadId,
          kind,
          outcome: "refused",
          data: { workflow: workflow.name, stage: "start", code: error.code, message: error.message },
        });
      }
      throw error;
    }
  }

  /**
   * Who a new run acts as: the given principal, the workflow's agent for a user named by a
   * verified delegation token, or the workflow's agent alone.
   *
   * @throws {GovernorError} IDENTITY_TOKEN_EXPIRED / IDENTITY_TOKEN_INVALID for a bad token.
   */
  async #principalFor(workflow: Workflow, options: RunOptions): Promise<Principal> {
    const agent = agentPrincipal(workflow.agent.id, workflow.agent.scopes, workflow.agent.roles);
    if (options.principal && options.delegation) {
      throw new GovernorError(
        "CONFIG_INVALID",
        "Give a run either a principal or a delegation token, not both",
      );
    }
    if (!options.delegation) return options.principal ?? agent;
    const now = (this.#now ?? Date.now)();
    const claims = await verifyDelegationToken(this.store.tokenKeys, options.delegation.token, {
      agentId: workflow.agent.id,
      now: new Date(now),
    });
    // The run keeps the grant (id, expiry), not the token: every node boundary checks it again.
    const principal = delegatedPrincipal(agent, claims.userId, claims.scopes, delegationGrant(claims));
    const lapse = await delegationLapse(principal, now, this.store.kills);
    if (lapse) throw lapse;
    return principal;
  }

  /**
   * Revokes a user's delegation by its token id (`jti`): runs acting under it stop at their
   * next node boundary (failed, IDENTITY_TOKEN_REVOKED, nothing more executes) in every
   * process that opens this store, and the token can never start a run again. Audited.
   *
   * @throws {GovernorError} CONFIG_INVALID for an empty id.
   */
  async revokeDelegation(
    jti: string,
    options: { reason?: string; by?: string } = {},
  ): Promise<DelegationRevocation> {
    const record = await this.store.kills.revoke({ jti, ...options });
    await this.store.audit.append({
      threadId: KILL_SWITCH_THREAD,
      kind: "identity",
      outcome: "revoked",
      data: { ...record },
    });
    return record;
  }

  /**
   * Continues a run whose process died part-way (a crash, a deploy, a killed worker) from
   * its last checkpoint. The node that was running starts again; its side effects are read
   * back from the idempotency journal, never repeated.
   *
   * @throws {GovernorError} RUN_NOT_FOUND; RUN_NOT_RESUMABLE when the run waits for a human
   *   (answer it with resume/decide) or has nothing left to run; KILLED while a kill switch holds.
   */
  async recover(workflow: Workflow, threadId: string, options: ResumeOptions = {}): Promise<RunOutcome> {
    return this.#exclusive(threadId, () => this.#recover(workflow, threadId, options));
  }

  async #recover(workflow: Workflow, threadId: string, options: ResumeOptions): Promise<RunOutcome> {
    const run = await this.#runOf(workflow, threadId);
    await refuseIfKilled(this.store.kills, run.principal, `recover run ${threadId}`);
    const graph = this.#graph(workflow, options);
    const snapshot = await graph.getState({
      configurable: { thread_id: threadId, principal: run.principal },
    });
    // Any approval (an approval node's, or an agent turn's batch) or budget question holds the run for a human.
    if (
      pendingApprovalRequests(snapshot, await this.#finished(snapshot)).length ||
      pendingInterrupt(snapshot, "budget")
    ) {
      throw new GovernorError(
        "RUN_NOT_RESUMABLE",
        `Run ${threadId} waits for a human decision: answer it with approve or reject`,
        {
          threadId,
        },
      );
    }
    if (!snapshot.next.length) {
      throw new GovernorError(
        "RUN_NOT_RESUMABLE",
        `Run ${threadId} has nothing left to run (it is ${run.status})`,
        {
          threadId,
          status: run.status,
        },
      );
    }
    await this.store.audit.append({
      threadId,
      kind: "run",
      outcome: "recovered",
      principal: run.principal.id,
      data: { next: snapshot.next },
    });
    await this.store.runs.setStatus(threadId, "running");
    return this.#drive(workflow, threadId, run.principal, null, options);
  }

  /**
   * Signs an approver's decision on the request a run waits for, with this store's keys, and
   * resumes the run with it: what `governor approve` does. Needs keys that can sign. When an
   * agent turn waits for several approvals, `requestId` names the one decided (the others
   * stay pending); it is never guessed.
   *
   * @throws {GovernorError} RUN_NOT_INTERRUPTED when the run waits for no approval;
   *   RESUME_INVALID when `requestId` is not pending, or several requests wait and none is named.
   */
  async decide(
    workflow: Workflow,
    threadId: string,
    decision: ApproverDecision & { readonly requestId?: string },
    options: ResumeOptions = {},
  ): Promise<RunOutcome> {
    const requests = await this.pendingApprovals(workflow, threadId, options);
    if (!requests.length) throw notWaiting(threadId, (await this.getRun(threadId)).status, "a decision");
    const { requestId, ...answer } = decision;
    const request = requestToDecide(threadId, requests, requestId);
    return this.resume(workflow, threadId, { token: await this.#sign(answer, request) }, options);
  }

  /**
   * Signs the same decision for every request a run waits for, one token per request, and
   * resumes the run once with them all: `governor approve --all`.
   *
   * @throws {GovernorError} RUN_NOT_INTERRUPTED when the run waits for no approval.
   */
  async decideAll(
    workflow: Workflow,
    threadId: string,
    decision: ApproverDecision,
    options: ResumeOptions = {},
  ): Promise<RunOutcome> {
    const requests = await this.pendingApprovals(workflow, threadId, options);
    if (!requests.length) throw notWaiting(threadId, (await this.getRun(threadId)).status, "a decision");
    const tokens = await Promise.all(requests.map((request) => this.#sign(decision, request)));
    const answer = tokens.length === 1 ? { token: tokens[0] } : { tokens };
    return this.resume(workflow, threadId, answer, options);
  }

  /**
   * A decision signed with this store's keys, bound to this run, node and request, and no
   * longer-lived than the request allows. Issued at the runtime's clock, the one the approval
   * node verifies against.
   */
  async #sign(decision: ApproverDecision, request: ApprovalRequest): Promise<string> {
    const now = (this.#now ?? Date.now)();
    return signApprovalDecision(this.store.tokenKeys, {
      ...decision,
      request,
      expiresIn: decisionLifetime(request, now),
      now: new Date(now),
    });
  }

  /** The budget request a run waits on: its next model call would overrun its budget. */
  async pendingBudget(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model" | "cheapModel" | "models"> = {},
  ): Promise<BudgetRequest | undefined> {
    return this.#pending<BudgetRequest>(workflow, threadId, options, "budget");
  }

  /**
   * Engages a kill switch: for every run, or for one agent's runs. Runs in any process
   * that opens this store stop at their next node boundary; new runs are refused.
   */
  async kill(options: { agent?: string; reason?: string; by?: string } = {}): Promise<KillRecord> {
    const record = await this.store.kills.kill(options);
    await this.store.audit.append({
      threadId: KILL_SWITCH_THREAD,
      kind: "kill",
      outcome: "engaged",
      data: { ...record },
    });
    return record;
  }

  /** Releases a kill switch; returns whether it was engaged. */
  async unkill(options: { agent?: string; by?: string } = {}): Promise<boolean> {
    const released = await this.store.kills.unkill(options);
    if (released) {
      await this.store.audit.append({
        threadId: KILL_SWITCH_THREAD,
        kind: "kill",
        outcome: "released",
        data: { agent: options.agent ?? null, by: options.by ?? null },
      });
    }
    return released;
  }

  /** The engaged kill switches. */
  async killSwitches(): Promise<KillRecord[]> {
    return this.store.kills.list();
  }

  /**
   * Grants a run waiting for budget this much more, as `approver`, signed with this store's
   * keys over the request and the amount: what `governor budget --extend-…` does. The
   * approver must hold budgets:extend when the workflow names its approvers.
   */
  async grantBudget(
    workflow: Workflow,
    threadId: string,
    grant: { approver: string; extra: BudgetExtra; reason?: string },
    options: ResumeOptions = {},
  ): Promise<RunOutcome> {
    return this.resume(
      workflow,
      threadId,
      await this.#budgetGrantAnswer(workflow, threadId, grant, options),
      options,
    );
  }

  /** The answer a budget grant resumes with: the amount, signed over the request the run waits on. */
  async #budgetGrantAnswer(
    workflow: Workflow,
    threadId: string,
    grant: { approver: string; extra: BudgetExtra; reason?: string },
    options: ResumeOptions,
  ) {
    const request = await this.pendingBudget(workflow, threadId, options);
    if (!request) throw notWaiting(threadId, (await this.getRun(threadId)).status, "budget");
    const token = await signApprovalDecision(this.store.tokenKeys, {
      approver: grant.approver,
      decision: "approve",
      request: budgetGrantBinding(request, grant.extra),
      reason: grant.reason,
      now: new Date((this.#now ?? Date.now)()),
    });
    return { decision: "extend" as const, extra: grant.extra, token };
  }

  /** The (first) approval a waiting run asks for; see `pendingApprovals` for all of them. */
  async pendingApproval(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model" | "models"> = {},
  ): Promise<ApprovalRequest | undefined> {
    return (await this.pendingApprovals(workflow, threadId, options))[0];
  }

  /** Every approval a waiting run asks for: one from an approval node, or each call of an agent turn's batch. */
  async pendingApprovals(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model" | "models"> = {},
  ): Promise<ApprovalRequest[]> {
    return (await this.#approvalInterrupts(workflow, threadId, options)).flatMap((pending) => [
      ...pending.requests,
    ]);
  }

  async #approvalInterrupts(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model" | "cheapModel" | "models">,
  ): Promise<ApprovalInterrupt[]> {
    const snapshot = await this.#snapshot(workflow, threadId, options);
    return approvalInterrupts(snapshot, await this.#finished(snapshot));
  }

  /** @throws {GovernorError} RUN_NOT_FOUND */
  async getRun(threadId: string): Promise<RunRecord> {
    const run = await this.store.runs.get(threadId);
    if (!run)
      throw new GovernorError(
        "RUN_NOT_FOUND",
        `No run with thread id ${threadId} in ${this.store.location}`,
        {
          threadId,
        },
      );
    return run;
  }

  /** What a run's pending interrupt asks for, when it is of `type`, read from its checkpoint. */
  async #pending<T extends { readonly type: string }>(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model" | "cheapModel" | "models">,
    type: T["type"],
  ): Promise<T | undefined> {
    return pendingInterrupt<T>(await this.#snapshot(workflow, threadId, options), type);
  }

  /**
   * The tasks of a checkpoint that already finished, whose interrupts `getState()` still
   * lists (see `finishedTasks`). Only a step where several tasks interrupted can have one,
   * so the checkpoint's writes are read only then.
   */
  async #finished(snapshot: {
    config: RunnableConfig;
    tasks: readonly { interrupts?: readonly unknown[] }[];
  }): Promise<ReadonlySet<string>> {
    if (snapshot.tasks.filter((task) => task.interrupts?.length).length < 2) return new Set();
    const saved = await this.store.checkpointer.getTuple(snapshot.config);
    return finishedTasks(saved?.pendingWrites);
  }

  /** The run's last checkpoint, read through its workflow's graph. */
  async #snapshot(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model" | "cheapModel" | "models">,
  ) {
    const run = await this.getRun(threadId);
    return this.#graph(workflow, options).getState({
      configurable: { thread_id: threadId, principal: run.principal },
    });
  }

  /** The run, when it belongs to `workflow`: a run is only ever resumed by the workflow that started it. */
  async #runOf(workflow: Workflow, threadId: string): Promise<RunRecord> {
    const run = await this.getRun(threadId);
    if (run.workflow !== workflow.name) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Run ${threadId} belongs to workflow "${run.workflow}", not "${workflow.name}"`,
        {
          threadId,
        },
      );
    }
    return run;
  }

  /**
   * Every approval request waiting for a human, oldest run first: one entry per request, so
   * a run whose agent turn waits for two calls is listed twice.
   */
  async pending(): Promise<PendingApproval[]> {
    const pending: PendingApproval[] = [];
    for (const run of await this.store.runs.list("waiting")) {
      for (const request of await this.#lastRequests(run.threadId))
        if (request?.type === "approval") pending.push({ run, request });
    }
    return pending;
  }

  /** Runs waiting for more budget, oldest first, with what each asks. */
  async pendingBudgets(): Promise<PendingBudget[]> {
    const pending: PendingBudget[] = [];
    for (const run of await this.store.runs.list("waiting")) {
      const request = (await this.#lastRequest(run.threadId)) as unknown as BudgetRequest | undefined;
      if (request?.type === "budget") pending.push({ run, request });
    }
    return pending;
  }

  /** Writes back what the store buffers and closes its connections. */
  async close(): Promise<void> {
    try {
      await this.store.close();
    } finally {
      // Shared limits own a connection (Redis) when the runtime was given them from a URL.
      await (this.#limits as { close?: () => Promise<void> } | undefined)?.close?.();
    }
  }

  /** The newest approval request recorded for a run; kept in the audit journal so listing needs no workflow code. */
  async #lastRequest(threadId: string): Promise<ApprovalRequest | undefined> {
    return (await this.#lastWaiting(threadId))?.data.request as ApprovalRequest | undefined;
  }

  /**
   * Every request the run's newest "waiting" record lists: `requests` since an agent turn
   * could wait for several, else the single `request` records written before it.
   */
  async #lastRequests(threadId: string): Promise<ApprovalRequest[]> {
    const data = (await this.#lastWaiting(threadId))?.data;
    if (Array.isArray(data?.requests)) return data.requests as ApprovalRequest[];
    return data?.request ? [data.request as ApprovalRequest] : [];
  }

  async #lastWaiting(threadId: string) {
    return (await this.store.audit.find({ threadId, kind: "run", outcome: "waiting", newest: true }))[0];
  }

  /** Drives the run inside the span of this segment (its start, a resume, a recovery). */
  #drive(
    workflow: Workflow,
    threadId: string,
    principal: Principal,
    input: unknown,
    options: ResumeOptions,
  ): Promise<RunOutcome> {
    const segment = input === null ? "recover" : input instanceof Command ? "resume" : "start";
    return inRunSegment({ threadId, workflow: workflow.name, principal: principal.id, segment }, () =>
      this.#driveSegment(workflow, threadId, principal, input, options),
    );
  }

  async #driveSegment(
    workflow: Workflow,
    threadId: string,
    principal: Principal,
    input: unknown,
    options: ResumeOptions,
  ): Promise<RunOutcome> {
    const graph = this.#graph(workflow, options);
    const config = {
      configurable: { thread_id: threadId, principal },
      recursionLimit: recursionLimitFor(workflow),
    };
    const finish = (status: RunOutcome["status"], data: Record<string, unknown>, error?: GovernorError) =>
      recordRunStatus(this.store, { threadId, principal: principal.id }, status, data, error?.message);
    try {
      // Events travel on LangGraph's custom stream; with no one listening, a plain invoke
      // skips building stream chunks for every step. The outcome is read from the checkpoint either way.
      const onEvent = options.onEvent;
      if (onEvent) {
        // Checkpoints are written with the durability compile() gives every graph ("sync").
        const stream = await graph.stream(input as never, { ...config, streamMode: "custom" });
        for await (const chunk of stream as AsyncIterable<unknown>) onEvent(chunk as GovernorEvent);
      } else {
        await graph.invoke(input as never, config);
      }
      const snapshot = await graph.getState(config);
      const state = snapshot.values as Record<string, unknown>;
      const usage = usageIn(state);
      const end = segmentEnd(snapshot, await this.#finished(snapshot));
      await finish(end.status, end.data, "stopped" in end ? end.stopped : undefined);
      if ("approval" in end) {
        return {
          threadId,
          status: "waiting",
          state,
          approval: end.approval,
          approvals: end.approvals,
          usage,
        };
      }
      if ("budget" in end) return { threadId, status: "waiting", state, budgetRequest: end.budget, usage };
      if ("stopped" in end) return { threadId, status: "failed", state, usage, error: end.stopped };
      return { threadId, status: "completed", state, usage };
    } catch (caught) {
      if (isGraphInterrupt(caught)) throw caught;
      const error =
        caught instanceof GovernorError
          ? caught
          : new GovernorError(
              "TOOL_FAILED",
              `Run ${threadId} failed: ${caught instanceof Error ? caught.message : String(caught)}`,
              { threadId },
              { cause: caught },
            );
      await finish("failed", { code: error.code, message: error.message });
      const snapshot = await graph.getState(config).catch(() => undefined);
      const state = (snapshot?.values ?? {}) as Record<string, unknown>;
      return { threadId, status: "failed", state, usage: usageIn(state), error };
    }
  }

  /** Resumes a run waiting for more budget with a human's `{ decision: "extend" | "stop", ... }`. */
  async #answerBudget(workflow: Workflow, run: RunRecord, answer: unknown, options: ResumeOptions) {
    const parsed = budgetAnswerSchema.safeParse(answer);
    if (!parsed.success) {
      throw new GovernorError(
        "RESUME_INVALID",
        `Budget answer for ${run.threadId} is invalid: ${formatIssues(parsed.error.issues, "(payload)")}`,
        { threadId: run.threadId, issues: parsed.error.issues },
      );
    }
    await this.store.runs.setStatus(run.threadId, "running");
    return this.#drive(workflow, run.threadId, run.principal, new Command({ resume: parsed.data }), options);
  }

  #graph(workflow: Workflow, options: Pick<RunOptions, "model" | "cheapModel" | "models">): CompiledWorkflow {
    const { model, cheapModel, models } = options;
    let byModel = this.#compiled.get(workflow);
    if (!byModel) {
      byModel = new Map();
      this.#compiled.set(workflow, byModel);
    }
    const key = `${this.#modelId(model)}/${this.#modelId(cheapModel)}/${this.#modelsKey(models)}`;
    let graph = byModel.get(key);
    if (!graph) {
      graph = compile(workflow, {
        model,
        cheapModel,
        models,
        prices: this.#prices,
        checkpointer: this.store.checkpointer,
        now: this.#now,
        ...this.store.graphServices(),
        ...(this.#limits ? { limits: this.#limits } : {}),
      });
      byModel.set(key, graph);
    }
    return graph;
  }

  /** A stable id per model instance, so graphs are cached per (model, cheap model) pair. */
  #modelId(model: BaseChatModel | undefined): number {
    if (!model) return 0;
    const known = this.#modelIds.get(model);
    if (known !== undefined) return known;
    const id = this.#nextModelId++;
    this.#modelIds.set(model, id);
    return id;
  }

  /** The named models as a cache key: each name with its model's id, in name order. */
  #modelsKey(models: Readonly<Record<string, BaseChatModel>> | undefined): string {
    return Object.keys(models ?? {})
      .sort()
      .map((name) => `${JSON.stringify(name)}=${this.#modelId(models?.[name])}`)
      .join(",");
  }
}

/** What a queued run keeps until a worker starts it. */
interface QueuedInput {
  readonly input: unknown;
  readonly budget?: RunBudget;
}

/** The signed tokens an answer already queued for a run holds. */
function tokensOf(answer: unknown): string[] {
  if (!answer || typeof answer !== "object") return [];
  const { token, tokens } = answer as { token?: unknown; tokens?: unknown };
  if (Array.isArray(tokens)) return tokens.filter((entry): entry is string => typeof entry === "string");
  return typeof token === "string" ? [token] : [];
}

function notWaiting(threadId: string, status: string, what: string): GovernorError {
  return new GovernorError("RUN_NOT_INTERRUPTED", `Run ${threadId} is ${status}, not waiting for ${what}`, {
    threadId,
    status,
  });
}
