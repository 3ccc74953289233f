/** Which runs a kill switch stops: every run, or the runs of one agent. */
export type KillScope = "global" | `agent:${string}`;

/** An engaged kill switch. */
export interface KillRecord {
  readonly scope: KillScope;
  readonly reason: string;
  /** ISO time it was engaged. */
  readonly at: string;
  readonly by?: string;
}

/**
 * Where compiled graphs look, at every node boundary, for a switch that stops them. Read
 * each time rather than cached, because another process (`governor kill`) may flip it.
 */
export interface KillSwitch {
  /** The switch that stops this agent's runs: the global one if engaged, else the agent's own. */
  active(agentId: string): KillRecord | undefined;
}

/** The scope `governor kill [--agent A]` names. */
export function killScope(agent?: string): KillScope {
  return agent === undefined ? "global" : `agent:${agent}`;
}
