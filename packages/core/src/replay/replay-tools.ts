import { GovernorError } from "@governor/errors";
import type { AnyTool } from "../tools/define-tool.js";
import { defineWorkflow, type Workflow } from "../workflow/define-workflow.js";

/** A call the replay wanted to execute that the original run never executed: refused, not run. */
export interface UnexecutedCall {
  readonly tool: string;
  readonly args: unknown;
  readonly idempotencyKey: string;
}

/** What the replay's tools were asked to run: only calls the original never executed get here. */
export interface ReplayToolLog {
  readonly unexecuted: UnexecutedCall[];
}

/**
 * The workflow with every tool's handler replaced by one that refuses: a replay reads each
 * call's result from the original's effect journal (copied into the scratch store, so the
 * gateway reads a committed call back exactly as on a resume), and a call the original never
 * executed reaches the replacement, which records it and fails it without acting. Everything
 * else (nodes, policy, contracts, scopes, approvers) is the workflow's own.
 */
export function replayWorkflow(workflow: Workflow): { workflow: Workflow; log: ReplayToolLog } {
  const log: ReplayToolLog = { unexecuted: [] };
  const tools = workflow.tools.map(
    (tool): AnyTool => ({
      // Retries and fallbacks stay: a fallback the original ran is read back under its own key.
      ...tool,
      handler: (args, context) => {
        log.unexecuted.push({ tool: tool.name, args, idempotencyKey: context.idempotencyKey });
        throw new GovernorError(
          "REPLAY_UNAVAILABLE",
          `Replay does not execute tools: the original run never executed this ${tool.name} call`,
          { tool: tool.name },
        );
      },
    }),
  );
  return { workflow: defineWorkflow({ ...workflow, tools }), log };
}
