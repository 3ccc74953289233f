import type { WorkflowIssue } from "@governor/errors";
import { handoffToolName } from "../agent/handoff-tools.js";
import { checkAgentGovernance } from "./check-agent-govern.js";
import { checkModelRouting } from "./check-agent-models.js";
import { nodeOf, type Workflow } from "./define-workflow.js";
import type { AgentNode } from "./node-definitions.js";

/** The bound of a loop: enough for any real conversation, small enough to stop a runaway one. */
const MAX_TURNS = { min: 1, max: 1000 };
const MAX_CALLS_PER_TURN = { min: 1, max: 100 };

/**
 * An agent node's own fields (instructions are checked with every kind's required fields):
 * its tools name workflow tools, its bounds are whole numbers in range, its handoffs name
 * other agents, its identity holds nothing the workflow's agent does not, its model routing
 * is well formed, and every tool that writes is governed.
 */
export function checkAgentNode(
  path: string,
  id: string,
  node: AgentNode<unknown>,
  workflow: Workflow,
  toolNames: ReadonlySet<string>,
): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: `${path}.${at}`, message });

  const handoffs = Array.isArray(node.handoffs) ? node.handoffs : [];
  if (!Array.isArray(node.tools) || (node.tools.length === 0 && handoffs.length === 0)) {
    invalid("tools", "an agent node needs tools (an array of tool names), with at least one tool or handoff");
  } else {
    const seen = new Set<string>();
    node.tools.forEach((tool, index) => {
      if (typeof tool !== "string" || !toolNames.has(tool)) {
        issues.push({
          code: "WORKFLOW_UNKNOWN_TOOL",
          path: `${path}.tools[${index}]`,
          message: `no tool named "${String(tool)}"`,
        });
      } else if (seen.has(tool)) {
        invalid(`tools[${index}]`, `agent ${id} offers ${tool} twice`);
      }
      seen.add(tool);
    });
  }

  checkWholeNumber(node.maxTurns, MAX_TURNS, "maxTurns", "turns", invalid, ": it bounds the loop");
  if (node.maxCallsPerTurn !== undefined) {
    checkWholeNumber(node.maxCallsPerTurn, MAX_CALLS_PER_TURN, "maxCallsPerTurn", "tool calls", invalid);
  }
  for (const field of ["input", "onReply"] as const) {
    if (node[field] !== undefined && typeof node[field] !== "function") invalid(field, "must be a function");
  }

  issues.push(...checkHandoffs(path, id, node, workflow, toolNames));
  issues.push(...checkAgentIdentity(path, id, node, workflow));
  const handoffTools = handoffs.filter((to) => typeof to === "string").map(handoffToolName);
  issues.push(...checkAgentGovernance(path, id, node, workflow, handoffTools));
  if (node.models !== undefined) issues.push(...checkModelRouting(`${path}.models`, node.models));
  return issues;
}

function checkWholeNumber(
  value: unknown,
  range: { min: number; max: number },
  field: string,
  unit: string,
  invalid: (at: string, message: string) => void,
  why = "",
): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < range.min || value > range.max) {
    invalid(field, `must be a whole number of ${unit} from ${range.min} to ${range.max}${why}`);
  }
}

/**
 * Each handoff names another agent node, once, and its generated tool does not shadow a
 * workflow tool of the same name (which of the two would the model be calling?).
 */
function checkHandoffs(
  path: string,
  id: string,
  node: AgentNode<unknown>,
  workflow: Workflow,
  toolNames: ReadonlySet<string>,
): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  if (node.handoffs === undefined) return issues;
  if (!Array.isArray(node.handoffs)) {
    return [
      { code: "WORKFLOW_INVALID", path: `${path}.handoffs`, message: "must be an array of agent node ids" },
    ];
  }
  const seen = new Set<string>();
  for (const [index, target] of (node.handoffs as readonly unknown[]).entries()) {
    const at = `${path}.handoffs[${index}]`;
    const invalid = (message: string) => issues.push({ code: "WORKFLOW_INVALID", path: at, message });
    if (typeof target !== "string") {
      invalid("must be the id of an agent node");
      continue;
    }
    if (seen.has(target)) {
      invalid(`agent ${id} hands off to ${target} twice`);
      continue;
    }
    seen.add(target);
    const to = nodeOf(workflow, target);
    if (target === id) invalid(`agent ${id} hands off to itself; a handoff goes to another agent node`);
    else if (!to)
      issues.push({ code: "WORKFLOW_UNKNOWN_NODE", path: at, message: `no node named "${target}"` });
    else if (to.kind !== "agent")
      invalid(`"${target}" is a ${to.kind} node; a handoff goes to an agent node`);
    const tool = handoffToolName(target);
    if (toolNames.has(tool)) {
      invalid(
        `agent ${id}'s handoff to ${target} is a generated tool named ${tool}, and the workflow already declares a tool of that name; rename the tool`,
      );
    }
  }
  return issues;
}

/**
 * The identity an agent node acts as: well formed, and never holding a scope or role the
 * workflow's agent lacks (a specialist acts within the workflow's agent, never beyond it).
 */
function checkAgentIdentity(
  path: string,
  id: string,
  node: AgentNode<unknown>,
  workflow: Workflow,
): WorkflowIssue[] {
  const identity = node.agent as unknown;
  if (identity === undefined) return [];
  const at = `${path}.agent`;
  const { id: agentId, scopes, roles } = (identity ?? {}) as Record<string, unknown>;
  const isStrings = (value: unknown): value is string[] =>
    Array.isArray(value) && value.every((item) => typeof item === "string" && item !== "");
  if (
    typeof identity !== "object" ||
    typeof agentId !== "string" ||
    !agentId.trim() ||
    !isStrings(scopes) ||
    (roles !== undefined && !isStrings(roles))
  ) {
    return [
      {
        code: "WORKFLOW_INVALID",
        path: at,
        message: "must be { id: string, scopes: string[], roles?: string[] }",
      },
    ];
  }
  const outer = workflow.agent;
  // A malformed workflow agent is reported on its own; there is nothing to compare against.
  if (!outer || !Array.isArray(outer.scopes)) return [];
  const issues: WorkflowIssue[] = [];
  const beyond = (field: "scopes" | "roles", mine: readonly string[], allowed: readonly string[] = []) => {
    const extra = mine.filter((item) => !allowed.includes(item));
    if (extra.length) {
      issues.push({
        code: "WORKFLOW_INVALID",
        path: `${at}.${field}`,
        message: `agent ${id} acts as ${agentId} with ${field} ${extra.join(", ")} that the workflow's agent ${outer.id} does not hold; an agent node acts within the workflow's agent, never beyond it`,
      });
    }
  };
  beyond("scopes", scopes, outer.scopes);
  if (roles) beyond("roles", roles, Array.isArray(outer.roles) ? outer.roles : []);
  return issues;
}
