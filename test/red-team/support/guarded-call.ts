import type { ProposedCall } from "@governor/core";
import { type CheckResult, pass, type WorkflowEdge, type WorkflowNode } from "@governor/core";

/** How the support workflows guard one action: check, gate, approval, action, each routed on. */
export interface GuardedCallOptions<TState> {
  /** The action node's id; its guards are `<id>_check`, `<id>_gate` and `<id>_approval`. */
  readonly id: string;
  readonly tool: string;
  readonly check?: (input: { state: TState; call: ProposedCall }) => CheckResult;
  readonly context?: (state: TState) => Record<string, unknown>;
  readonly resource?: (state: TState, call: ProposedCall) => { type: string; id: string } | undefined;
  readonly requiredScope?: string;
  readonly onResult?: (state: TState, result: unknown) => Partial<TState>;
  /** Where the run goes after the call ran. */
  readonly next: string;
  /** Where a failed check, a denial or a rejection goes. Default: `next`. */
  readonly refused?: string;
  /** Where a failed call goes (the action's "failed" edge); none when omitted. */
  readonly failed?: string;
  /** Where an escalated call goes (the action's "escalated" edge); none when omitted. */
  readonly escalated?: string;
}

/**
 * The governed path to one side effect, as every sample spells it: precondition (pass/fail),
 * policy gate (allow/deny/approval), approval (approved/rejected), action. Written once here
 * so each adversarial workflow states only what differs.
 */
export function guardedCall<TState>(options: GuardedCallOptions<TState>): {
  nodes: Record<string, WorkflowNode<TState>>;
  edges: WorkflowEdge[];
} {
  const { id, tool, next } = options;
  const refused = options.refused ?? next;
  const [check, gate, approval] = [`${id}_check`, `${id}_gate`, `${id}_approval`];
  const nodes: Record<string, WorkflowNode<TState>> = {
    [check]: { kind: "precondition", guards: id, check: options.check ?? (() => pass()) },
    [gate]: { kind: "gate", guards: id, context: options.context, resource: options.resource },
    [approval]: { kind: "approval", guards: id, requiredScope: options.requiredScope },
    [id]: { kind: "action", tool, onResult: options.onResult },
  };
  const edges: WorkflowEdge[] = [
    [check, gate, "pass"],
    [check, refused, "fail"],
    [gate, id, "allow"],
    [gate, approval, "approval"],
    [gate, refused, "deny"],
    [approval, id, "approved"],
    [approval, refused, "rejected"],
    [id, next],
  ];
  if (options.failed) edges.push([id, options.failed, "failed"]);
  if (options.escalated) edges.push([id, options.escalated, "escalated"]);
  return { nodes, edges };
}
