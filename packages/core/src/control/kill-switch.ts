import type { Awaitable } from "@governor/observability";
import { canonicalId } from "./canonical-id.js";

/** Which runs a kill switch stops: every run, or the runs of one agent. */
export type KillScope = "global" | `agent:${string}`;

/** Kill switches are not runs: their audit records (engaged, released, refused) go under this thread id. */
export const KILL_SWITCH_THREAD = "governor:kill-switch";

/** An engaged kill switch. */
export interface KillRecord {
  readonly scope: KillScope;
  readonly reason: string;
  /** ISO time it was engaged. */
  readonly at: string;
  readonly by?: string;
}

/**
 * Where compiled graphs look, at every node boundary, for a switch that stops them. Another
 * process (`governor kill`) may flip it at any time: an implementation may serve answers from
 * memory only if it knows the moment the stored switches change (see SqliteKillSwitches).
 */
export interface KillSwitch {
  /** The switch that stops this agent's runs: the global one if engaged, else the agent's own. */
  active(agentId: string): Awaitable<KillRecord | undefined>;
  /**
   * The revocation of a user's delegation, when it was revoked: runs acting under it stop at
   * their next node boundary, like a kill switch scoped to one delegation.
   */
  revoked?(jti: string): Awaitable<DelegationRevocation | undefined>;
}

/** The switches as an operator works them (`governor kill`, `unkill`, `revoke`, `status`). */
export interface KillSwitchStore extends KillSwitch {
  /** Engages the switch for every run (no agent) or one agent's runs; engaging it again updates the reason. */
  kill(options?: { agent?: string; reason?: string; by?: string; at?: Date }): Awaitable<KillRecord>;
  /** Releases one switch; returns whether it was engaged. Releasing the global switch leaves agents' switches as they are. */
  unkill(options?: { agent?: string }): Awaitable<boolean>;
  list(): Awaitable<KillRecord[]>;
  /**
   * Revokes a delegation by its token id, for good. Revoking it again keeps the first record.
   * @throws {GovernorError} CONFIG_INVALID for an empty id.
   */
  revoke(options: { jti: string; reason?: string; by?: string; at?: Date }): Awaitable<DelegationRevocation>;
  revoked(jti: string): Awaitable<DelegationRevocation | undefined>;
}

/** A revoked delegation token, by its `jti`. */
export interface DelegationRevocation {
  readonly jti: string;
  readonly reason: string;
  /** ISO time it was revoked. */
  readonly at: string;
  readonly by?: string;
}

/**
 * The scope `governor kill [--agent A]` names, with the agent id in its canonical form: a
 * switch engaged for "Support " must stop the runs of agent "support".
 *
 * @throws {GovernorError} CONFIG_INVALID for an agent id that is empty once trimmed.
 */
export function killScope(agent?: string): KillScope {
  return agent === undefined ? "global" : `agent:${canonicalId(agent, "agent id")}`;
}
