/**
 * @governor/console: a local web console over a Governor store (graphs, live runs, run
 * timelines, the approvals inbox, audit and the kill switch). `governor console` starts it.
 */
export type {
  ApproverTokenVerifier,
  ConsoleOptions,
  ConsoleQueue,
  ConsoleWorkflow,
  RunningConsole,
} from "./console-options.js";
