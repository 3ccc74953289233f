import {
  budgetStateOf,
  GovernorError,
  type GovernorRuntime,
  type RunRecord,
  type RunStatus,
  runSummaryOf,
} from "@governor/core";
import { buildRunTimeline, type RunTimeline } from "@governor/observability";

export const RUN_STATUSES: readonly RunStatus[] = ["queued", "running", "waiting", "completed", "failed"];

/** The timeline `governor runs show` prints, for one stored run. */
export async function timelineOf(runtime: GovernorRuntime, run: RunRecord): Promise<RunTimeline> {
  return buildRunTimeline(
    runSummaryOf(run),
    await runtime.store.audit.list(run.threadId),
    await budgetStateOf(runtime, run.threadId),
  );
}

/**
 * A status filter from a query string: empty means any.
 *
 * @throws {GovernorError} CONFIG_INVALID for a word that is not a run status.
 */
export function statusFilter(value: string | undefined): RunStatus | undefined {
  if (value === undefined || value === "") return undefined;
  if ((RUN_STATUSES as readonly string[]).includes(value)) return value as RunStatus;
  throw new GovernorError(
    "CONFIG_INVALID",
    `status "${value.slice(0, 100)}" is not a run status: use one of ${RUN_STATUSES.join(", ")}`,
    { status: value.slice(0, 100) },
  );
}

/**
 * A workflow filter from a query string: empty means any.
 *
 * @throws {GovernorError} CONFIG_INVALID for a name longer than 200 characters or with control characters.
 */
export function workflowFilter(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (value.length > 200 || /\p{Cc}/u.test(value)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "workflow must be a workflow name (at most 200 characters, no control characters)",
      {
        workflow: value.slice(0, 100),
      },
    );
  }
  return value;
}

/**
 * A thread id from a URL path.
 *
 * @throws {GovernorError} RUN_NOT_FOUND for an empty or over-long id (no run can have it).
 */
export function threadParam(value: string): string {
  if (value === "" || value.length > 200 || /\p{Cc}/u.test(value)) {
    throw new GovernorError("RUN_NOT_FOUND", `"${value.slice(0, 60)}" is not a thread id`, {
      threadId: value.slice(0, 60),
    });
  }
  return value;
}
