/** Test helpers for code that keeps an audit journal: `@governor/observability/testing`. */
export { tamperAuditRecord } from "./tamper-audit.js";
