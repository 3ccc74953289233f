import { formatIssues, GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { MemoryStore } from "@governor/memory";
import type { AuditKind } from "@governor/observability";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import type { ApprovalAuthority } from "../approvals/approval-authority.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { CallScope, ToolGateway } from "../gateway/tool-gateway.js";
import type { Workflow } from "../workflow/define-workflow.js";
import type { GraphState } from "./state-annotation.js";

/** What compiled nodes share: the workflow, its gateway and model, and who runs when no one is named. */
export interface NodeServices {
  readonly workflow: Workflow;
  readonly gateway: ToolGateway;
  readonly model?: BaseChatModel;
  /** Named models that steps' `models` routing rules choose from. */
  readonly models?: Readonly<Record<string, BaseChatModel>>;
  readonly defaultPrincipal: Principal;
  /** Verifies approvers' signed decisions; required when the workflow has approval steps. */
  readonly approvals?: ApprovalAuthority;
  /** Structured memory for memory nodes and steps that read memory; compile() requires it when they exist. */
  readonly memory?: MemoryStore;
}

const principalSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(["agent", "delegated"]),
  agentId: z.string().min(1),
  userId: z.string().optional(),
  scopes: z.array(z.string()),
  roles: z.array(z.string()).optional(),
  // Kept so every node boundary can check the user's delegation again (expiry, revocation).
  delegation: z.object({ jti: z.string().min(1), expiresAt: z.string().min(1) }).optional(),
});

/** Runs without a thread (stateless server runs) still get audit records, under this id. */
const STATELESS_THREAD = "stateless";

/**
 * The principal of this run: `configurable.principal` when the caller set one, the
 * workflow's own agent otherwise.
 *
 * Over LangGraph's API server the HTTP caller chooses `configurable`, so a given principal
 * is only trusted to narrow the workflow's agent (the runtime passes the agent, or the agent
 * acting for a user whose token it verified): another agent id would dodge that agent's
 * kill switch, and extra scopes or roles would pass identity and policy.
 *
 * @throws {GovernorError} CONFIG_INVALID when `configurable.principal` is malformed or
 *   claims more than the workflow's agent holds.
 */
export function principalOf(
  config: LangGraphRunnableConfig,
  services: Pick<NodeServices, "defaultPrincipal"> & { readonly workflow: Pick<Workflow, "agent" | "name"> },
): Principal {
  const given = config.configurable?.principal;
  if (given === undefined) return services.defaultPrincipal;
  // Every node of a run asks with the same object: check it once per workflow agent. The
  // checked copy is what is returned, so a later change to the caller's object changes nothing.
  const checked = typeof given === "object" && given !== null ? checkedPrincipals.get(given) : undefined;
  const known = checked?.get(services.workflow.agent);
  if (known) return known;
  const principal = checkPrincipal(given, services.workflow);
  if (typeof given === "object" && given !== null) {
    const byAgent = checked ?? new WeakMap<object, Principal>();
    byAgent.set(services.workflow.agent, principal);
    checkedPrincipals.set(given, byAgent);
  }
  return principal;
}

/** Principals already checked, by the object the caller gave and the workflow agent it was checked against. */
const checkedPrincipals = new WeakMap<object, WeakMap<object, Principal>>();

function checkPrincipal(given: unknown, workflow: Pick<Workflow, "agent" | "name">): Principal {
  const parsed = principalSchema.safeParse(given);
  if (!parsed.success) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `configurable.principal is malformed: ${formatIssues(parsed.error.issues)}`,
    );
  }
  const { agent, name } = workflow;
  const beyond = beyondAgent(parsed.data, agent);
  if (beyond) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `configurable.principal ${parsed.data.id} claims ${beyond}, beyond workflow "${name}"'s agent ${agent.id}: a run may only narrow its agent's authority (act for a user with a verified delegation token)`,
      { principal: parsed.data.id, agent: agent.id },
    );
  }
  return parsed.data;
}

/** What a claimed principal holds that the workflow's agent does not, or undefined. */
function beyondAgent(principal: Principal, agent: Workflow["agent"]): string | undefined {
  if (principal.agentId !== agent.id) return `agent "${principal.agentId}"`;
  const expectedId =
    principal.userId === undefined ? `agent:${agent.id}` : `agent:${agent.id}/user:${principal.userId}`;
  if (principal.id !== expectedId) return `the id "${principal.id}" (expected "${expectedId}")`;
  const scopes = principal.scopes.filter((scope) => !agent.scopes.includes(scope));
  if (scopes.length) return `scopes ${scopes.join(", ")}`;
  const roles = (principal.roles ?? []).filter((role) => !(agent.roles ?? []).includes(role));
  if (roles.length) return `roles ${roles.join(", ")}`;
  return undefined;
}

export function scopeOf(config: LangGraphRunnableConfig, node: string, services: NodeServices): CallScope {
  return {
    threadId: (config.configurable?.thread_id as string | undefined) ?? STATELESS_THREAD,
    node,
    principal: principalOf(config, services),
  };
}

/** The proposal under decision, if it is a call to `tool`; guards of another tool see none. */
export function currentCall(state: GraphState, tool: string): ProposedCall | null {
  const proposal = state.governor.proposal;
  return proposal && proposal.tool === tool ? proposal : null;
}

/** Answers a proposed call in the conversation, so the model sees what happened to it. */
export function toolReply(
  call: Pick<ProposedCall, "id" | "tool">,
  content: string,
  status: "success" | "error",
): ToolMessage {
  return new ToolMessage({ tool_call_id: call.id, name: call.tool, content, status });
}

/** The action node a guard protects, and its tool. */
export function guardedTool(services: NodeServices, actionNode: string): string {
  const node = services.workflow.nodes[actionNode];
  if (node?.kind !== "action")
    throw new GovernorError("WORKFLOW_INVALID", `${actionNode} is not an action node`);
  return node.tool;
}

/**
 * An audit writer for one node's run in one step: records carry the thread, node and
 * principal, and `key` deduplicates them per step, so a node re-run on resume writes once.
 */
export function stepAudit(services: NodeServices, scope: CallScope, config: LangGraphRunnableConfig) {
  const step = config.metadata?.langgraph_step ?? "?";
  return (kind: AuditKind, outcome: string, data: Record<string, unknown>, key: string) =>
    services.gateway.audit.append({
      threadId: scope.threadId,
      kind,
      outcome,
      node: scope.node,
      principal: scope.principal.id,
      data,
      dedupeKey: `${scope.threadId}:${step}:${scope.node}:${key}`,
    });
}
