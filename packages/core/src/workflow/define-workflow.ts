import type { ApproverRegistry } from "@governor/identity";
import type { PolicyEngine } from "@governor/policy";
import type { z } from "zod";
import type { RunBudget } from "../budget/run-budget.js";
import type { PrivacyOptions } from "../privacy/pii-mask.js";
import type { AnyTool } from "../tools/define-tool.js";
import type { WorkflowNode } from "./node-definitions.js";

export const START = "__start__";
export const END = "__end__";

/** An edge: from one node to another, labeled with the outcome it carries when `from` branches. */
export type WorkflowEdge =
  | { readonly from: string; readonly to: string; readonly on?: string }
  | readonly [from: string, to: string]
  | readonly [from: string, to: string, on: string];

/** The agent a workflow runs as when no other principal is given. */
export interface AgentIdentity {
  readonly id: string;
  readonly scopes: readonly string[];
  readonly roles?: readonly string[];
}

// biome-ignore lint/suspicious/noExplicitAny: the object schema's own shape is irrelevant here.
export type StateSchema = z.ZodObject<any>;

// A workflow of unknown state (the runtime's view) defaults to `any`: node callbacks take the
// state as a parameter, so a workflow of a specific state is not assignable to one of
// Record<string, unknown> under strictFunctionTypes.
// biome-ignore lint/suspicious/noExplicitAny: see above.
export interface WorkflowDefinition<TSchema extends StateSchema = any> {
  readonly name: string;
  readonly description?: string;
  /** The business state: input is parsed by it, task updates are checked against it. */
  readonly state: TSchema;
  readonly agent: AgentIdentity;
  readonly tools: readonly AnyTool[];
  readonly policy: PolicyEngine;
  /**
   * Personal data in prompts: emails, card and phone numbers in text and the values of
   * `sensitive` state fields are masked before the model reads them, unless `modelMaySee`.
   */
  readonly privacy?: PrivacyOptions;
  /**
   * Who may approve this workflow's calls, with their scopes (an Identity from
   * @governor/identity). Required when the workflow has approval steps: `validate()` refuses
   * an approval step nobody is entitled to answer.
   */
  readonly approvers?: ApproverRegistry;
  /**
   * The version of the workflow's own code that decisions depend on (the code that computes
   * the gates' facts, and what it calls). Approvals are bound to it with the policy's version:
   * bump it when that code changes, and pending approvals lapse. Without it, the source text
   * of the gates' fact callbacks stands in (see `workflowFactVersion`).
   */
  readonly version?: string;
  readonly nodes: Readonly<Record<string, WorkflowNode<z.output<TSchema>>>>;
  readonly edges: readonly WorkflowEdge[];
  /** Limits every run of this workflow (run options may override fields). */
  readonly budget?: RunBudget;
  /** The largest run input, as JSON bytes, a run accepts (INPUT_INVALID beyond). Default: 1 MB. */
  readonly maxInputBytes?: number;
}

/** Marks a value as a workflow so loaders can tell it from other exports. */
export const WORKFLOW_BRAND = Symbol.for("governor.workflow");

/** A workflow as `defineWorkflow` returns it. */
// biome-ignore lint/suspicious/noExplicitAny: see WorkflowDefinition.
export type Workflow<TSchema extends StateSchema = any> = WorkflowDefinition<TSchema> & {
  readonly [WORKFLOW_BRAND]: true;
};

/**
 * Declares a workflow as data: typed state, nodes by kind, edges. Nothing is checked here;
 * `validate()` says everything that is wrong at once, and `compile()` refuses an invalid workflow.
 *
 * @example
 * const wf = defineWorkflow({
 *   name: "refund", state: z.object({ request: z.string() }), agent, tools: [issueRefund], policy,
 *   nodes: { propose: { kind: "model", instructions: "…", tools: ["issue_refund"] }, … },
 *   edges: [[START, "propose"], ["propose", "check"], ["check", "gate", "pass"], …],
 * });
 */
export function defineWorkflow<TSchema extends StateSchema>(
  definition: WorkflowDefinition<TSchema>,
): Workflow<TSchema> {
  return Object.freeze({ ...definition, [WORKFLOW_BRAND]: true as const });
}

export function isWorkflow(value: unknown): value is Workflow {
  return (
    typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[WORKFLOW_BRAND] === true
  );
}

/**
 * The node declared under `id`, or undefined. Node ids are data: a plain `nodes[id]` would
 * find `toString` or `constructor` on Object.prototype for a node nobody declared.
 */
export function nodeOf<TState>(
  workflow: { readonly nodes: Readonly<Record<string, WorkflowNode<TState>>> },
  id: string,
): WorkflowNode<TState> | undefined {
  return Object.hasOwn(workflow.nodes, id) ? workflow.nodes[id] : undefined;
}

/** Normalized edge form. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly on?: string;
}

export function normalizeEdge(edge: WorkflowEdge): Edge {
  if (Array.isArray(edge)) {
    const [from, to, on] = edge as readonly string[];
    return { from: from as string, to: to as string, on };
  }
  return edge as Edge;
}
