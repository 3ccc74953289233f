import { GovernorError } from "@governor/errors";
import type { AuditRecord } from "@governor/observability";
import type { AnyTool } from "../tools/define-tool.js";
import { defineWorkflow, type Workflow } from "../workflow/define-workflow.js";
import { type PolicyFactsLog, recordedFactsPolicy } from "./recorded-facts.js";
import type { RecordedTaskWrites } from "./recorded-tasks.js";

/** A call the replay wanted to execute that the original run never executed: refused, not run. */
export interface UnexecutedCall {
  readonly tool: string;
  readonly args: unknown;
  readonly idempotencyKey: string;
}

/** What the replay's tools and task nodes did instead of acting. */
export interface ReplayLog {
  /** Calls the replay wanted to execute that the original never executed: refused, not run. */
  readonly unexecuted: UnexecutedCall[];
  /** Task steps answered with the original's recorded state update. */
  recordedTasks: number;
  /** Task steps with no recorded update left (the original never got there): their code ran. */
  readonly rerunTasks: string[];
  /** Policy questions asked with the original's recorded facts, and with live ones (calls it never asked about). */
  readonly policyFacts: PolicyFactsLog;
}

/**
 * The workflow as a replay runs it.
 *
 * Every tool's handler is replaced by one that refuses: a replay reads each call's result
 * from the original's effect journal (copied into the scratch store, so the gateway reads a
 * committed call back exactly as on a resume), and a call the original never executed
 * reaches the replacement, which lists it and fails it without acting.
 *
 * Every task node answers with the update the original's run of it recorded (its
 * checkpoint writes), in order, rather than running its code again: the replay then decides
 * on the state the original decided on, even when the task read a system that has changed
 * since. A task step the original never reached runs its code (it has no record to give).
 *
 * The policy engine is the workflow's, asked with the facts (context, resource) the
 * original's policy records kept for the same call (see `recordedFactsPolicy`).
 *
 * Everything else (nodes, contracts, scopes, approvers, preconditions, routes) is the
 * workflow's own. Preconditions read live systems: their records keep a verdict, not the
 * facts it was reached on.
 */
export function replayWorkflow(
  workflow: Workflow,
  taskWrites: RecordedTaskWrites,
  records: readonly AuditRecord[],
): { workflow: Workflow; log: ReplayLog } {
  const facts = recordedFactsPolicy(workflow.policy, records);
  const log: ReplayLog = { unexecuted: [], recordedTasks: 0, rerunTasks: [], policyFacts: facts.log };
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
  const nodes = Object.fromEntries(
    Object.entries(workflow.nodes).map(([id, node]) => {
      if (node.kind !== "task") return [id, node];
      const recorded = [...(taskWrites.get(id) ?? [])];
      const run: typeof node.run = (state) => {
        const update = recorded.shift();
        if (update) {
          log.recordedTasks++;
          return update;
        }
        log.rerunTasks.push(id);
        return node.run(state);
      };
      return [id, { ...node, run }];
    }),
  );
  return { workflow: defineWorkflow({ ...workflow, tools, nodes, policy: facts.policy }), log };
}
