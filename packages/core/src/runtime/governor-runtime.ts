import { randomUUID } from "node:crypto";
import { agentPrincipal, type Principal } from "@governor/identity";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { Command, isGraphInterrupt } from "@langchain/langgraph";
import { type ApprovalRequest, approvalAnswerSchema } from "../approvals/approval-request.js";
import { formatIssues, GovernorError } from "@governor/errors";
import { type CompiledWorkflow, compile } from "../graph/compile.js";
import type { GovernorEvent } from "../graph/events.js";
import type { Workflow } from "../workflow/define-workflow.js";
import { GovernorStore } from "./governor-store.js";
import type { RunRecord } from "./run-registry.js";

export interface RunOptions {
  /** Default: a new UUID. */
  readonly threadId?: string;
  /** Default: the workflow's own agent. */
  readonly principal?: Principal;
  /** How a later process finds the workflow again to resume it (a sample name or module path). Default: the workflow's name. */
  readonly source?: string;
  readonly model?: BaseChatModel;
  readonly onEvent?: (event: GovernorEvent) => void;
}

export type ResumeOptions = Pick<RunOptions, "model" | "onEvent">;

/** Where a run stands after `start` or `resume` returns. */
export interface RunOutcome {
  readonly threadId: string;
  readonly status: "completed" | "waiting" | "failed";
  /** The workflow state at the last checkpoint. */
  readonly state: Record<string, unknown>;
  /** The approval the run waits for, when waiting. */
  readonly approval?: ApprovalRequest;
  readonly error?: GovernorError;
}

/** A run waiting for a human, as `governor pending` lists it. */
export interface PendingApproval {
  readonly run: RunRecord;
  readonly request: ApprovalRequest;
}

export interface GovernorRuntimeOptions {
  /** Default: `GOVERNOR_DIR` or `.governor/`. */
  readonly dir?: string;
  readonly store?: GovernorStore;
  readonly now?: () => number;
}

const RECURSION_LIMIT = 100;

/**
 * Runs workflows durably: starts them, stops them at approvals, and resumes them later
 * from any process that opens the same store.
 *
 * @example
 * const runtime = new GovernorRuntime();
 * const outcome = await runtime.start(refundWorkflow, { request: "…" }, { model });
 * if (outcome.status === "waiting") await runtime.resume(refundWorkflow, outcome.threadId, {
 *   decision: "approve", approver: "alice", callHash: outcome.approval!.callHash });
 */
export class GovernorRuntime {
  readonly store: GovernorStore;
  readonly #now?: () => number;
  readonly #compiled = new WeakMap<Workflow, Map<BaseChatModel | undefined, CompiledWorkflow>>();

  constructor(options: GovernorRuntimeOptions = {}) {
    this.store = options.store ?? new GovernorStore(options.dir);
    this.#now = options.now;
  }

  /**
   * Starts a run.
   *
   * @throws {GovernorError} INPUT_INVALID when the input does not match the state schema,
   *   CONFIG_INVALID when the thread id is taken; a workflow that fails while running
   *   returns status "failed" with the error instead of throwing.
   */
  async start(workflow: Workflow, input: unknown, options: RunOptions = {}): Promise<RunOutcome> {
    const parsed = workflow.state.safeParse(input);
    if (!parsed.success) {
      throw new GovernorError(
        "INPUT_INVALID",
        `Input for workflow "${workflow.name}" is invalid: ${formatIssues(parsed.error.issues, "(input)")}`,
        { workflow: workflow.name, issues: parsed.error.issues },
      );
    }
    const threadId = options.threadId ?? randomUUID();
    if (this.store.runs.get(threadId)) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `A run with thread id ${threadId} already exists; resume it or pick another id`,
        { threadId },
      );
    }
    // Compiling first means an invalid workflow fails before any run is recorded.
    this.#graph(workflow, options.model);
    const principal =
      options.principal ?? agentPrincipal(workflow.agent.id, workflow.agent.scopes, workflow.agent.roles);
    this.store.runs.create({
      threadId,
      workflow: workflow.name,
      source: options.source ?? workflow.name,
      principal,
    });
    this.store.audit.append({
      threadId,
      kind: "run",
      outcome: "started",
      principal: principal.id,
      data: { workflow: workflow.name, input: parsed.data },
    });
    return this.#drive(workflow, threadId, principal, parsed.data, options);
  }

  /**
   * Answers the approval a run waits for and runs it on.
   *
   * @throws {GovernorError} RUN_NOT_FOUND, RUN_NOT_INTERRUPTED when the run is not waiting,
   *   RESUME_INVALID when the answer is not `{ decision, approver, callHash, reason? }`.
   */
  async resume(
    workflow: Workflow,
    threadId: string,
    answer: unknown,
    options: ResumeOptions = {},
  ): Promise<RunOutcome> {
    const run = this.getRun(threadId);
    if (run.workflow !== workflow.name) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Run ${threadId} belongs to workflow "${run.workflow}", not "${workflow.name}"`,
        { threadId },
      );
    }
    // The checkpoint, not the registry, says whether the run waits: a process that died
    // after resuming leaves the registry at "running" while the interrupt still stands.
    if (run.status === "completed" || !(await this.pendingApproval(workflow, threadId, options))) {
      throw new GovernorError(
        "RUN_NOT_INTERRUPTED",
        `Run ${threadId} is ${run.status}, not waiting for a decision`,
        { threadId, status: run.status },
      );
    }
    const parsed = approvalAnswerSchema.safeParse(answer);
    if (!parsed.success) {
      throw new GovernorError(
        "RESUME_INVALID",
        `Resume payload for ${threadId} is invalid: ${formatIssues(parsed.error.issues, "(payload)")}`,
        { threadId, issues: parsed.error.issues },
      );
    }
    this.store.runs.setStatus(threadId, "running");
    return this.#drive(workflow, threadId, run.principal, new Command({ resume: parsed.data }), options);
  }

  /** The approval a waiting run asks for. */
  async pendingApproval(
    workflow: Workflow,
    threadId: string,
    options: Pick<RunOptions, "model"> = {},
  ): Promise<ApprovalRequest | undefined> {
    const run = this.getRun(threadId);
    const graph = this.#graph(workflow, options.model);
    return interruptOf(
      await graph.getState({ configurable: { thread_id: threadId, principal: run.principal } }),
    );
  }

  /** @throws {GovernorError} RUN_NOT_FOUND */
  getRun(threadId: string): RunRecord {
    const run = this.store.runs.get(threadId);
    if (!run)
      throw new GovernorError("RUN_NOT_FOUND", `No run with thread id ${threadId} in ${this.store.dir}`, {
        threadId,
      });
    return run;
  }

  /** Runs waiting for a human, oldest first, with the request each one waits for. */
  pending(): PendingApproval[] {
    return this.store.runs
      .list("waiting")
      .map((run) => ({ run, request: this.#lastRequest(run.threadId) }))
      .filter((entry): entry is PendingApproval => entry.request !== undefined);
  }

  close(): void {
    this.store.close();
  }

  /** The newest approval request recorded for a run; kept in the audit journal so listing needs no workflow code. */
  #lastRequest(threadId: string): ApprovalRequest | undefined {
    const record = this.store.audit
      .list(threadId)
      .filter((entry) => entry.kind === "run" && entry.outcome === "waiting")
      .at(-1);
    return record?.data.request as ApprovalRequest | undefined;
  }

  async #drive(
    workflow: Workflow,
    threadId: string,
    principal: Principal,
    input: unknown,
    options: ResumeOptions,
  ): Promise<RunOutcome> {
    const graph = this.#graph(workflow, options.model);
    const config = { configurable: { thread_id: threadId, principal }, recursionLimit: RECURSION_LIMIT };
    const finish = (status: RunOutcome["status"], data: Record<string, unknown>, error?: GovernorError) => {
      this.store.runs.setStatus(threadId, status, error?.message);
      this.store.audit.append({ threadId, kind: "run", outcome: status, principal: principal.id, data });
    };
    try {
      const stream = await graph.stream(input as never, {
        ...config,
        streamMode: ["custom", "updates"] as const,
      });
      for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
        if (mode === "custom") options.onEvent?.(chunk as GovernorEvent);
      }
      const snapshot = await graph.getState(config);
      const approval = interruptOf(snapshot);
      const state = snapshot.values as Record<string, unknown>;
      if (approval) {
        finish("waiting", { request: approval });
        return { threadId, status: "waiting", state, approval };
      }
      finish("completed", {});
      return { threadId, status: "completed", state };
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
      finish("failed", { code: error.code, message: error.message });
      const snapshot = await graph.getState(config).catch(() => undefined);
      return {
        threadId,
        status: "failed",
        state: (snapshot?.values ?? {}) as Record<string, unknown>,
        error,
      };
    }
  }

  #graph(workflow: Workflow, model: BaseChatModel | undefined): CompiledWorkflow {
    let byModel = this.#compiled.get(workflow);
    if (!byModel) {
      byModel = new Map();
      this.#compiled.set(workflow, byModel);
    }
    let graph = byModel.get(model);
    if (!graph) {
      graph = compile(workflow, {
        model,
        checkpointer: this.store.checkpointer,
        audit: this.store.audit,
        effects: this.store.effects,
        now: this.#now,
      });
      byModel.set(model, graph);
    }
    return graph;
  }
}

function interruptOf(snapshot: {
  tasks: readonly { interrupts?: readonly { value?: unknown }[] }[];
}): ApprovalRequest | undefined {
  for (const task of snapshot.tasks) {
    for (const pending of task.interrupts ?? []) {
      const value = pending.value as ApprovalRequest | undefined;
      if (value?.type === "approval") return value;
    }
  }
  return undefined;
}
