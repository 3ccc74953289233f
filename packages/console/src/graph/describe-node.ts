import type { Workflow, WorkflowNode } from "@governor/core";

/** An agent node's definition (core exports the union of node kinds, not each member). */
export type AgentDefinition = Extract<WorkflowNode<unknown>, { kind: "agent" }>;

/**
 * One line saying what a node does, for a node whose definition has no `description`: the
 * tool it guards or runs, what the policy is asked, who may approve, the agent's tools and
 * turn bound. Built from the definition's data only (never by calling the author's code), so
 * drawing needs no model, no store and runs nothing.
 */
export function describeNode(workflow: Workflow, id: string, node: WorkflowNode<unknown>): string {
  switch (node.kind) {
    case "precondition":
      return `Checks the business facts the ${guarded(workflow, node.guards)} call must satisfy before policy is asked; failing, it goes no further.`;
    case "gate":
      return node.sufficient
        ? `Asks the policy whether the ${guarded(workflow, node.guards)} call may run (allow, deny or approval); the policy alone suffices: ${node.sufficient.reason}.`
        : `Asks the policy whether the ${guarded(workflow, node.guards)} call may run: allow, deny or ask a human.`;
    case "approval":
      return `Stops the run until ${approverPhrase(workflow, [node.requiredScope])} approves or rejects the exact ${guarded(workflow, node.guards)} call, within ${duration(node.expiresInMs ?? DAY_MS)}.`;
    case "action":
      return `Runs ${toolPhrase(workflow, node.tool)} exactly once through the gateway: the only kind of step with side effects.`;
    case "agent":
      return describeAgent(node);
    case "model":
      return node.tools?.length
        ? `A model step that may propose a call to ${list(node.tools)}; it runs nothing itself.`
        : "A model step that answers in text; it proposes no tool call.";
    case "task":
      return "The workflow's own code: loads data or computes, never calls a tool.";
    case "route":
      return `Chooses one branch: ${list(node.branches, "or")}.`;
    case "memory-read":
      return `Reads current facts from structured memory into "${node.into}", checked against the run's memory scopes and audited.`;
    case "memory-write":
      return node.extract
        ? "Writes facts a model extracts from the conversation to structured memory, as one audited batch."
        : "Writes facts to structured memory as one audited batch; a weaker authority's change waits for approval.";
    default:
      return `A ${String((node as { kind?: unknown }).kind)} step (${id}).`;
  }
}

/**
 * The author's description on one line (a title and a <desc> are one line), or undefined when
 * there is none to show. Shared with agent loops.
 */
export function ownDescription(node: { readonly description?: unknown }): string | undefined {
  if (typeof node.description !== "string") return undefined;
  const line = node.description.replace(/\s+/g, " ").trim();
  return line === "" ? undefined : line;
}

/** The turn node of an agent loop. */
export function describeAgent(node: AgentDefinition): string {
  const handoffs = node.handoffs?.length ? `; may hand the run to ${list(node.handoffs)}` : "";
  return `Agent loop: a model turn that may call ${list(node.tools)}, every call governed, at most ${node.maxTurns} turns${handoffs}.`;
}

/** The stages an agent loop compiles to, each said for this agent's tools. */
export function describeLoopStage(
  workflow: Workflow,
  node: AgentDefinition,
  stage: "checks" | "gate" | "tools" | "approval",
): string {
  switch (stage) {
    case "checks":
      return `Checks the contract and precondition of every call the agent proposes (${list(node.tools)}).`;
    case "gate":
      return "Identity, facts and policy decide every call: allow, deny or ask a human.";
    case "tools":
      return `Runs the allowed and approved calls exactly once (at most ${node.maxCallsPerTurn ?? 8} a turn); results go back to the model.`;
    case "approval":
      return `One interrupt for every call the policy sent to a human; ${approverPhrase(workflow, loopApprovalScopes(node))} decides.`;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** "the issue_refund (write)": the action's tool when the guarded node is an action. */
function guarded(workflow: Workflow, actionId: string): string {
  const action = Object.hasOwn(workflow.nodes, actionId) ? workflow.nodes[actionId] : undefined;
  return action?.kind === "action" ? toolPhrase(workflow, action.tool) : `"${actionId}"`;
}

function toolPhrase(workflow: Workflow, name: string): string {
  const tool = workflow.tools.find((candidate) => candidate.name === name);
  return tool ? `${name} (${tool.risk})` : name;
}

/** The scopes an agent's approvals ask for (undefined: any of the workflow's approvers). */
function loopApprovalScopes(node: AgentDefinition): (string | undefined)[] {
  const scopes = node.tools.map((tool) =>
    node.govern && Object.hasOwn(node.govern, tool) ? node.govern[tool]?.approval?.requiredScope : undefined,
  );
  return [...new Set(scopes)];
}

/** Who may decide: the approvers the registry lists for the scopes, else the scopes themselves. */
function approverPhrase(workflow: Workflow, scopes: readonly (string | undefined)[]): string {
  const listed = new Set<string>();
  for (const scope of scopes) {
    for (const approver of workflow.approvers?.approversWith?.(scope) ?? []) listed.add(approver.id);
  }
  if (listed.size === 1) return [...listed][0] as string;
  if (listed.size) return `one of ${list([...listed])}`;
  const named = scopes.filter((scope): scope is string => scope !== undefined);
  return named.length ? `an approver holding ${list(named)}` : "one of the workflow's approvers";
}

function duration(ms: number): string {
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} day${ms === DAY_MS ? "" : "s"}`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${ms} ms`;
}

function list(items: readonly string[], conjunction: "and" | "or" = "and"): string {
  if (items.length <= 1) return items[0] ?? "nothing";
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items.at(-1)}`;
}
