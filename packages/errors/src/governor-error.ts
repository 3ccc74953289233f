import type { ErrorCode } from "./error-codes.js";

/**
 * The one error type Governor throws: a code from {@link ERROR_CODES}, a message that says
 * what was wrong and where, and details a program can read.
 */
export class GovernorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem `validate()` found, located by a path into the workflow definition. */
export interface WorkflowIssue {
  readonly code: ErrorCode;
  /** Where, e.g. `nodes.refund_gate.guards` or `edges[3]`. */
  readonly path: string;
  readonly message: string;
}

/**
 * A workflow that must not run. Carries every issue found, so one pass shows them all;
 * the error's own code is the first issue's.
 */
export class WorkflowValidationError extends GovernorError {
  constructor(
    readonly workflow: string,
    readonly issues: readonly WorkflowIssue[],
  ) {
    const first = issues[0];
    if (!first) throw new TypeError("WorkflowValidationError needs at least one issue");
    super(
      first.code,
      `Workflow "${workflow}" is invalid:\n${issues.map((issue) => `  - [${issue.code}] ${issue.path}: ${issue.message}`).join("\n")}`,
      { workflow, issues },
    );
  }
}
