export { ERROR_CODES, type ErrorCode } from "./error-codes.js";
export { GovernorError, type WorkflowIssue, WorkflowValidationError } from "./governor-error.js";
export { formatIssues, type IssueLike } from "./format-issues.js";
