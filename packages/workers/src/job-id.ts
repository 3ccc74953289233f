import { createHash } from "node:crypto";
import { GovernorError } from "@governor/errors";

/** The sequence of a queued run's first job: any worker starts it. */
export const START_SEQUENCE = "start";

/**
 * The BullMQ job id of one step of a run: the thread id and what the step is for.
 *
 * The same step enqueued twice (a retried command, a worker re-sweeping the store) gets the
 * same id, and BullMQ keeps one job per id; a later step of the same run (the resume after
 * an approval) has another sequence, so it is a new job. BullMQ refuses ":" in custom ids and
 * integers as ids: the thread id is URI-encoded and always followed by the sequence.
 *
 * @throws {GovernorError} JOB_INVALID for a sequence that is not a short word.
 */
export function jobIdFor(threadId: string, sequence: string): string {
  if (!/^[\w.-]{1,80}$/.test(sequence)) {
    throw new GovernorError(
      "JOB_INVALID",
      `A job sequence is a short word ([A-Za-z0-9_.-]), got "${sequence.slice(0, 80)}"`,
      {
        threadId,
      },
    );
  }
  return `${encodeURIComponent(threadId)}.${sequence}`;
}

/**
 * The sequence of the job that resumes a run with a stored answer: a digest of the answer,
 * so enqueueing the same answer twice is one job and a new answer is another. Keys are sorted
 * first: a store may hand JSON back with its keys in another order (PostgreSQL's jsonb does).
 */
export function answerSequence(answer: unknown): string {
  return `answer-${digest(answer)}`;
}

/** The sequence for a run in any other state: one job per (status, last update). */
export function stateSequence(status: string, updatedAt: string): string {
  return `${status.replace(/[^\w-]/g, "")}-${digest(updatedAt)}`;
}

function digest(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
