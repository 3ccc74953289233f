/**
 * @governor/console: a local web console over a Governor store (graphs, live runs, run
 * timelines, the approvals inbox, audit and the kill switch). `governor console` starts it.
 */
export { hmacApproverTokens, signApproverToken } from "./approver-auth.js";
export { type ConsoleAppLifecycle, createConsoleApp } from "./console-app.js";
export type { ConsoleContext, ConsoleEnv, ConsoleRequest, Flash, Html } from "./console-context.js";
export type {
  ApproverTokenVerifier,
  ConsoleOptions,
  ConsoleQueue,
  ConsoleWorkflow,
  RunningConsole,
} from "./console-options.js";
export { type ConsoleSettings, consoleSettingsOf } from "./console-settings.js";
export { displayLocation } from "./pages/layout.js";
export { type ConsoleSecrets, newConsoleSecrets } from "./security/console-secrets.js";
export { CONTENT_SECURITY_POLICY } from "./security/security-headers.js";
export { startConsole } from "./start-console.js";
