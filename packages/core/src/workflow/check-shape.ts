import type { WorkflowIssue } from "@governor/errors";
import { checkAgentNode } from "./check-agent.js";
import { checkModelRouting } from "./check-agent-models.js";
import { checkApprovers, checkGateFields } from "./check-governance-fields.js";
import { checkMemoryReadNode, checkMemoryWriteNode, checkStepMemory } from "./check-memory.js";
import { END, nodeOf, START, type Workflow } from "./define-workflow.js";

const RESERVED_STATE_KEYS = ["messages", "governor"];
const NODE_ID = /^[a-zA-Z][a-zA-Z0-9_-]*$/;

/** True for names every object inherits (`constructor`, `toString`, …): unsafe as keys of plain objects. */
export function isInheritedName(id: string): boolean {
  return id in Object.prototype;
}

/** Fields each kind must have, with their accepted types (`a|b` for either). */
const REQUIRED_FIELDS: Record<string, Record<string, string>> = {
  model: { instructions: "string|function" },
  // An agent's tools, bounds, handoffs and governance are checked by checkAgentNode.
  agent: { instructions: "string|function" },
  task: { run: "function" },
  precondition: { guards: "string", check: "function" },
  gate: { guards: "string" },
  approval: { guards: "string" },
  action: { tool: "string" },
  route: { branches: "array", decide: "function" },
  // Scopes, keys, budgets, writes and the state fields written are checked by check-memory.ts.
  "memory-read": {},
  "memory-write": {},
};

/** Whether `kind` is a node kind Governor knows (the keys of the table above; anything else is a typo checkShape reports). */
export function isNodeKind(kind: unknown): boolean {
  // Kinds are data: "toString" must not find a function on Object.prototype.
  return typeof kind === "string" && Object.hasOwn(REQUIRED_FIELDS, kind);
}

/**
 * The checks that need no graph: the definition's own fields, reserved names, required
 * node fields and tool names. Each problem becomes an issue with a path into the definition.
 */
export function checkShape(workflow: Workflow): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (path: string, message: string) => issues.push({ code: "WORKFLOW_INVALID", path, message });

  if (typeof workflow.name !== "string" || !workflow.name) invalid("name", "must be a non-empty string");
  const shape = (workflow.state as { shape?: Record<string, unknown> } | undefined)?.shape;
  if (!shape || typeof shape !== "object") invalid("state", "must be a zod object schema (z.object({...}))");
  for (const key of RESERVED_STATE_KEYS) {
    if (shape && Object.hasOwn(shape, key))
      invalid(`state.${key}`, `"${key}" is reserved for Governor's own channel; rename the field`);
  }
  if (!workflow.agent || typeof workflow.agent.id !== "string" || !Array.isArray(workflow.agent.scopes)) {
    invalid("agent", "must be { id: string, scopes: string[] }");
  }
  if (!workflow.policy || typeof workflow.policy.decide !== "function") {
    invalid("policy", "must be a PolicyEngine (an object with decide())");
  }

  const toolNames = new Set<string>();
  (Array.isArray(workflow.tools) ? workflow.tools : []).forEach((tool, index) => {
    if (toolNames.has(tool.name)) invalid(`tools[${index}]`, `tool "${tool.name}" is declared twice`);
    toolNames.add(tool.name);
  });
  if (!Array.isArray(workflow.tools)) invalid("tools", "must be an array of tools from defineTool()");
  (Array.isArray(workflow.tools) ? workflow.tools : []).forEach((tool, index) => {
    const fallback = tool.fallback && "tool" in tool.fallback ? tool.fallback.tool : undefined;
    if (fallback !== undefined && !toolNames.has(fallback)) {
      issues.push({
        code: "WORKFLOW_UNKNOWN_TOOL",
        path: `tools[${index}].fallback.tool`,
        message: `${tool.name} falls back to "${fallback}", which is not a tool of this workflow`,
      });
    }
  });

  if (!workflow.nodes || typeof workflow.nodes !== "object") {
    invalid("nodes", "must be an object of nodes by id");
    return issues;
  }
  for (const [id, node] of Object.entries(workflow.nodes)) {
    const path = `nodes.${id}`;
    if (id === START || id === END || !NODE_ID.test(id)) {
      invalid(path, "a node id must start with a letter and use letters, digits, _ or -");
    } else if (isInheritedName(id)) {
      // Graph libraries (graphology's path search, LangGraph's builder) key plain objects by
      // node id: a node named "constructor" would collide with what every object inherits.
      invalid(path, `"${id}" is a name every object inherits from Object.prototype; rename the node`);
    }
    if ((shape && Object.hasOwn(shape, id)) || RESERVED_STATE_KEYS.includes(id)) {
      invalid(path, `"${id}" is also a state field; LangGraph needs node ids and state fields to differ`);
    }
    // Kinds are data: "toString" must not find a function on Object.prototype.
    const kind = node?.kind as string;
    const fields = Object.hasOwn(REQUIRED_FIELDS, kind) ? REQUIRED_FIELDS[kind] : undefined;
    if (!fields) {
      invalid(
        `${path}.kind`,
        `unknown node kind "${String(node?.kind)}"; use one of ${Object.keys(REQUIRED_FIELDS).join(", ")}`,
      );
      continue;
    }
    for (const [field, type] of Object.entries(fields)) {
      const value = (node as unknown as Record<string, unknown>)[field];
      const ok = type
        .split("|")
        .some((t) =>
          t === "array" ? Array.isArray(value) && value.length > 0 : typeof value === t && value !== "",
        );
      if (!ok)
        invalid(`${path}.${field}`, `a ${node.kind} node needs ${field} (${type.replace("|", " or ")})`);
    }
    if (node.kind === "model") {
      (node.tools ?? []).forEach((tool, index) => {
        if (!toolNames.has(tool)) {
          issues.push({
            code: "WORKFLOW_UNKNOWN_TOOL",
            path: `${path}.tools[${index}]`,
            message: `no tool named "${tool}"`,
          });
        }
      });
    }
    if (node.kind === "action" && typeof node.tool === "string" && !toolNames.has(node.tool)) {
      issues.push({
        code: "WORKFLOW_UNKNOWN_TOOL",
        path: `${path}.tool`,
        message: `no tool named "${node.tool}"`,
      });
    }
    if ("guards" in node && typeof node.guards === "string") {
      const guarded = nodeOf(workflow, node.guards);
      if (!guarded) {
        issues.push({
          code: "WORKFLOW_UNKNOWN_NODE",
          path: `${path}.guards`,
          message: `no node named "${node.guards}"`,
        });
      } else if (guarded.kind !== "action") {
        invalid(
          `${path}.guards`,
          `"${node.guards}" is a ${guarded.kind} node; a ${node.kind} guards an action node`,
        );
      }
    }
    if (node.kind === "agent") issues.push(...checkAgentNode(path, id, node, workflow, toolNames));
    if (node.kind === "model" && node.models !== undefined) {
      issues.push(...checkModelRouting(`${path}.models`, node.models));
    }
    if (node.kind === "gate") issues.push(...checkGateFields(path, node));
    if (node.kind === "approval") issues.push(...checkApprovers(path, id, node, workflow.approvers));
    if ((node.kind === "model" || node.kind === "agent") && node.memory !== undefined) {
      issues.push(...checkStepMemory(`${path}.memory`, node.memory));
    }
    const stateFields = shape ? new Set(Object.keys(shape)) : undefined;
    if (node.kind === "memory-read") issues.push(...checkMemoryReadNode(path, node, stateFields));
    if (node.kind === "memory-write") issues.push(...checkMemoryWriteNode(path, node, stateFields));
  }
  return issues;
}
