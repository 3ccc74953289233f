import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import { isCommand } from "@langchain/langgraph";
import { parseRunInput } from "../control/input-contract.js";
import { principalOf } from "../graph/node-scope.js";
import { workflowVersion } from "../replay/workflow-version.js";
import { takeLease } from "../runtime/held-lease.js";
import type { GovernorStores } from "../store/governor-stores.js";
import type { Workflow } from "../workflow/define-workflow.js";
import { recordServerOutcome } from "./server-run-outcome.js";

export interface ServerRunsOptions {
  readonly workflow: Workflow;
  /** The key the CLI and workers load the workflow by (`sample:NAME`): written on every run the server starts. */
  readonly source: string;
  readonly stores: Pick<GovernorStores, "checkpointer" | "runs" | "audit" | "leases">;
  /** Who runs when the caller names no principal: the workflow's agent, as compile() uses. */
  readonly defaultPrincipal: Principal;
}

/** The members of a compiled graph the API server uses, and that are taken over here. */
interface ServedGraph {
  checkpointer: unknown;
  streamEvents(input: unknown, options?: unknown, streamOptions?: unknown): AsyncIterable<unknown>;
  getState(config: { configurable: { thread_id: string } }): Promise<never>;
}

/**
 * Makes every run LangGraph's API server (and so Studio) drives on this graph a Governor run
 * in the store: the CLI (`runs`, `pending`, `status`, `audit show`, `approve`), the console
 * and workers see it, and `governor approve <thread>` answers its interrupt.
 *
 * Two things are taken over on the compiled graph, because the server gives no hook for them:
 * - `checkpointer` stays the store's. The server assigns its own saver to every graph it loads
 *   (and `null` for stateless runs); that assignment is ignored, so the server's thread state,
 *   history and resumes read and write Governor's checkpoints, which the CLI resumes from.
 *   The server's own saver then holds nothing of these threads (its thread copy copies none).
 * - `streamEvents`, the one call the server runs a graph with, records the run around each
 *   segment: created (`source`, principal, "running") on its first segment under the server's
 *   thread id, "running" on a resume, then waiting / completed / failed from the checkpoint, with
 *   the same `run` audit records the runtime writes. The segment holds the run's lease, so a
 *   `governor approve` of the same thread cannot drive it at the same moment.
 *
 * @throws {GovernorError} (from the wrapped stream, before any step runs) INPUT_INVALID for
 *   input that does not match the state, CONFIG_INVALID for a thread that belongs to another
 *   workflow or a principal beyond the agent's, RUN_BUSY while another process drives the run.
 */
export function recordServerRuns<TGraph>(graph: TGraph, options: ServerRunsOptions): TGraph {
  const target = graph as unknown as ServedGraph;
  const { stores } = options;
  Object.defineProperty(target, "checkpointer", {
    configurable: true,
    enumerable: true,
    get: () => stores.checkpointer,
    // Deliberately ignored: see above. The server sets it before every run and every state read.
    set: () => undefined,
  });
  const inner = target.streamEvents;
  target.streamEvents = (input: unknown, config?: unknown, streamOptions?: unknown) =>
    recorded(target, options, input, config, () => inner.call(graph, input, config, streamOptions));
  return graph;
}

type RunConfig = { configurable?: Record<string, unknown> } | undefined;

async function* recorded(
  graph: ServedGraph,
  options: ServerRunsOptions,
  input: unknown,
  config: unknown,
  run: () => AsyncIterable<unknown>,
): AsyncGenerator<unknown> {
  const threadId = (config as RunConfig)?.configurable?.thread_id;
  if (typeof threadId !== "string" || threadId === "") {
    throw new GovernorError(
      "CONFIG_INVALID",
      `A run of workflow "${options.workflow.name}" on the API server needs a thread id (configurable.thread_id): Governor records every run under one`,
      { workflow: options.workflow.name },
    );
  }
  const principal = principalOf(config as never, {
    defaultPrincipal: options.defaultPrincipal,
    workflow: options.workflow,
  });
  const { stores } = options;
  const lease = await takeLease(stores.leases, threadId);
  if (!lease) {
    throw new GovernorError(
      "RUN_BUSY",
      `Run ${threadId} is being driven by another process (a governor approve, a worker) right now; try again`,
      { threadId },
    );
  }
  try {
    await begin(options, threadId, principal, input);
    let failure: unknown;
    try {
      yield* run();
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // Also when the client went away mid-run: the checkpoint says where the run stands.
      await recordServerOutcome(graph, stores, { threadId, principal: principal.id }, failure);
    }
  } finally {
    await lease.release();
  }
}

/** Records the run's start (first segment) or its resume; refuses a thread of another workflow. */
async function begin(options: ServerRunsOptions, threadId: string, principal: Principal, input: unknown) {
  const { stores, workflow } = options;
  const existing = await stores.runs.get(threadId);
  if (existing) {
    if (existing.workflow !== workflow.name) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Run ${threadId} belongs to workflow "${existing.workflow}", not "${workflow.name}": start a new thread`,
        { threadId, workflow: existing.workflow },
      );
    }
    await stores.runs.setStatus(threadId, "running");
    return;
  }
  // Bad input records no run, as with the runtime (the graph would refuse it the same way).
  const fields =
    input === null || input === undefined || isCommand(input) ? {} : parseRunInput(workflow, input);
  await stores.runs.create({ threadId, workflow: workflow.name, source: options.source, principal });
  await stores.audit.append({
    threadId,
    kind: "run",
    outcome: "started",
    principal: principal.id,
    data: {
      workflow: workflow.name,
      workflowVersion: workflowVersion(workflow),
      input: fields,
      via: "api-server",
    },
  });
}
