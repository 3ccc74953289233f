import { formatIssues, GovernorError } from "@governor/errors";
import { z } from "zod";

/**
 * What a run job carries: the thread id and nothing else.
 *
 * Everything a worker needs (the workflow, the input, the principal, an approver's signed
 * answer) is read from the store, which only Governor writes. Redis is shared
 * infrastructure: whatever else a job says could have been put there by anyone who can
 * reach it, so a job with any other field is refused rather than partly believed.
 */
export const runJobSchema = z.strictObject({
  threadId: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\w.:@/+-]+$/, "letters, digits and . _ : @ / + - only"),
});

export type RunJob = z.infer<typeof runJobSchema>;

/**
 * The job's payload, checked.
 *
 * @throws {GovernorError} JOB_INVALID naming what is wrong (the payload is not echoed: it may be large or hostile).
 */
export function parseRunJob(data: unknown, jobId?: string): RunJob {
  const parsed = runJobSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new GovernorError(
    "JOB_INVALID",
    `Run job ${jobId ?? "(no id)"} is refused: ${formatIssues(parsed.error.issues, "(payload)")}; a job carries only { threadId }`,
    { jobId, issues: parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })) },
  );
}
