import type { Principal } from "@governor/identity";
import type { AgentIdentity } from "../workflow/define-workflow.js";

/**
 * The principal an agent node acts as inside a run: the node's own agent, holding only what
 * both it and the run's principal hold. In a delegated run the run's scopes are already the
 * workflow agent's ∩ the user's, and `validate()` keeps a node's agent within the workflow's
 * agent, so a specialist never exceeds its own scopes nor the user's. The user and the
 * delegation (expiry, revocation) carry over, so every boundary still checks them.
 */
export function agentNodePrincipal(run: Principal, agent: AgentIdentity | undefined): Principal {
  // Narrowed even under the run's own agent id: a node declaring fewer scopes gets only those.
  if (!agent) return run;
  const held = new Set(run.scopes);
  const roles = run.roles ? new Set(run.roles) : undefined;
  return {
    id: run.userId === undefined ? `agent:${agent.id}` : `agent:${agent.id}/user:${run.userId}`,
    kind: run.kind,
    agentId: agent.id,
    ...(run.userId !== undefined ? { userId: run.userId } : {}),
    scopes: [...new Set(agent.scopes)].filter((scope) => held.has(scope)),
    ...(agent.roles ? { roles: agent.roles.filter((role) => roles?.has(role) ?? false) } : {}),
    ...(run.delegation ? { delegation: run.delegation } : {}),
  };
}
