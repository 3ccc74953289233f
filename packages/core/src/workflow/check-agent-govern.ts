import type { WorkflowIssue } from "@governor/errors";
import { checkApprovalTimes, checkGateFields, hasApproverWith } from "./check-governance-fields.js";
import type { Workflow } from "./define-workflow.js";
import type { AgentNode, AgentToolGovernance } from "./node-definitions.js";

/**
 * An agent's per-tool governance: each entry governs a tool the agent offers (or one of its
 * handoffs), its callbacks are functions, its approval settings are sane and someone may
 * answer them. And every tool that is not read-only has a precondition (`check`) or a
 * declaration that its policy covers every check (`sufficient`): the loop's form of "every
 * action has a precondition".
 */
export function checkAgentGovernance(
  path: string,
  id: string,
  node: AgentNode<unknown>,
  workflow: Workflow,
  /** The tools generated for the agent's handoffs: they may be governed too (facts, approval). */
  handoffTools: readonly string[],
): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const govern = node.govern as unknown;
  if (govern !== undefined && (typeof govern !== "object" || govern === null || Array.isArray(govern))) {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}.govern`,
      message: "must be an object of per-tool governance, keyed by tool name",
    });
  }
  const entries = (govern && typeof govern === "object" ? govern : {}) as Record<string, unknown>;
  const tools = Array.isArray(node.tools) ? node.tools.filter((tool) => typeof tool === "string") : [];
  const offered = new Set([...tools, ...handoffTools]);
  const declared = new Set((Array.isArray(workflow.tools) ? workflow.tools : []).map((tool) => tool.name));

  for (const [tool, entry] of Object.entries(entries)) {
    const at = `${path}.govern.${tool}`;
    if (!offered.has(tool)) {
      issues.push(
        declared.has(tool)
          ? {
              code: "WORKFLOW_INVALID",
              path: at,
              message: `agent ${id} governs ${tool}, which it does not offer; add it to its tools or remove the entry`,
            }
          : { code: "WORKFLOW_UNKNOWN_TOOL", path: at, message: `no tool named "${tool}"` },
      );
    }
    issues.push(...checkEntry(at, id, tool, entry, workflow));
  }

  for (const tool of Array.isArray(workflow.tools) ? workflow.tools : []) {
    if (!tools.includes(tool.name) || tool.risk === "read") continue;
    const entry = Object.hasOwn(entries, tool.name) ? entries[tool.name] : undefined;
    if (isGuarded(entry)) continue;
    issues.push({
      code: "WORKFLOW_UNGUARDED_ACTION",
      path: `${path}.govern.${tool.name}`,
      message: `agent ${id} may call ${tool.name} (risk ${String(tool.risk)}) with no precondition: declare govern.${tool.name}.check, or govern.${tool.name}.sufficient: { reason } when its policy covers every check`,
    });
  }
  return issues;
}

/** True when an entry declares a precondition or a reasoned sufficiency: a malformed one guards nothing. */
function isGuarded(entry: unknown): boolean {
  if (!entry || typeof entry !== "object") return false;
  const { check, sufficient } = entry as AgentToolGovernance<unknown>;
  const reason = (sufficient as { reason?: unknown } | undefined)?.reason;
  return typeof check === "function" || (typeof reason === "string" && reason.trim() !== "");
}

function checkEntry(
  at: string,
  id: string,
  tool: string,
  entry: unknown,
  workflow: Workflow,
): WorkflowIssue[] {
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
    return [
      {
        code: "WORKFLOW_INVALID",
        path: at,
        message: "must be { check?, context?, resource?, facts?, sufficient?, approval?, onResult? }",
      },
    ];
  }
  const governance = entry as AgentToolGovernance<unknown>;
  const issues = checkGateFields(at, governance, `govern.${tool}`);
  for (const field of ["check", "onResult"] as const) {
    if (governance[field] !== undefined && typeof governance[field] !== "function") {
      issues.push({ code: "WORKFLOW_INVALID", path: `${at}.${field}`, message: "must be a function" });
    }
  }
  const approval = governance.approval as unknown;
  if (approval === undefined) return issues;
  if (!approval || typeof approval !== "object") {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${at}.approval`,
      message: "must be { expiresInMs?, decisionLifetimeMs?, requiredScope?, summary? }",
    });
    return issues;
  }
  const { requiredScope, summary } = approval as NonNullable<AgentToolGovernance<unknown>["approval"]>;
  issues.push(...checkApprovalTimes(`${at}.approval`, approval as object));
  if (summary !== undefined && typeof summary !== "function") {
    issues.push({ code: "WORKFLOW_INVALID", path: `${at}.approval.summary`, message: "must be a function" });
  }
  if (requiredScope !== undefined && (typeof requiredScope !== "string" || !requiredScope)) {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${at}.approval.requiredScope`,
      message: "must be a non-empty scope name",
    });
  } else if (requiredScope !== undefined && !hasApproverWith(workflow.approvers, requiredScope)) {
    // Without the scope the policy may still never ask; but when it asks nobody could answer.
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${at}.approval.requiredScope`,
      message: `agent ${id}'s ${tool} calls need an approver holding ${requiredScope}, and no such approver is declared in the workflow's approvers`,
    });
  }
  return issues;
}
