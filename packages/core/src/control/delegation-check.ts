import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import { canonicalId } from "./canonical-id.js";
import type { KillSwitch } from "./kill-switch.js";

/**
 * Why the delegation a run acts under no longer holds, or undefined while it holds.
 *
 * A token is verified once, when the run starts; a run can then wait hours for a human.
 * The user lent their authority for a short time (and may take it back), so every node
 * boundary, including the re-run of a node on resume and the step before every action,
 * checks the grant the run keeps: expired at `now`, or revoked in the store. A malformed
 * expiry counts as expired (fail closed). A principal without a grant (the agent alone, or
 * a principal built in code) has nothing to lapse.
 */
export async function delegationLapse(
  principal: Principal,
  now: number,
  revocations: Pick<KillSwitch, "revoked"> | undefined,
): Promise<GovernorError | undefined> {
  const grant = principal.delegation;
  if (!grant) return undefined;
  const details = { principal: principal.id, userId: principal.userId, jti: grant.jti };
  const revoked = await revocations?.revoked?.(canonicalId(grant.jti, "delegation id"));
  if (revoked) {
    return new GovernorError(
      "IDENTITY_TOKEN_REVOKED",
      `the delegation from user ${principal.userId} (token ${grant.jti}) was revoked at ${revoked.at}${revoked.by ? ` by ${revoked.by}` : ""}: ${revoked.reason}`,
      { ...details, revokedAt: revoked.at },
    );
  }
  const expiresAt = Date.parse(grant.expiresAt);
  if (!Number.isFinite(expiresAt) || now >= expiresAt) {
    return new GovernorError(
      "IDENTITY_TOKEN_EXPIRED",
      `the delegation from user ${principal.userId} (token ${grant.jti}) expired at ${grant.expiresAt}: the user must delegate again, in a new run`,
      { ...details, expiresAt: grant.expiresAt },
    );
  }
  return undefined;
}
