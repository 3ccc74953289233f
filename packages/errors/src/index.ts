export { ERROR_CODES, type ErrorCode } from "./error-codes.js";
export { formatIssues, type IssueLike } from "./format-issues.js";
export { GovernorError, type WorkflowIssue, WorkflowValidationError } from "./governor-error.js";
