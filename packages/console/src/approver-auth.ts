import { GovernorError } from "@governor/errors";
import { hs256Keys, signApproverToken as signToken, verifyApproverToken } from "@governor/identity";
import type { ApproverTokenVerifier } from "./console-options.js";

/**
 * Approver tokens signed with one shared HS256 secret (at least 32 bytes): a JWT whose `sub`
 * is the approver, `aud` "governor-console", with an expiry no more than 12 h after it was
 * issued. Only HS256 under this secret verifies, so `alg: none` and tokens signed with any
 * other key are refused.
 *
 * @throws {GovernorError} CONFIG_INVALID when the secret is shorter than 32 bytes.
 * @example
 * startConsole({ runtime, workflows, workflowFor, host: "0.0.0.0", allowRemote: true,
 *   approverTokens: hmacApproverTokens(process.env.GOVERNOR_CONSOLE_SECRET ?? "") });
 */
export function hmacApproverTokens(secret: string | Uint8Array): ApproverTokenVerifier {
  const keys = hs256Keys(secret);
  return {
    async verify(token: string) {
      if (typeof token !== "string" || !token.trim()) {
        throw new GovernorError(
          "APPROVAL_INVALID",
          "No approver token: sign in with your approver token first",
          {},
        );
      }
      try {
        const { approver } = await verifyApproverToken(keys, token.trim());
        return { approver };
      } catch (error) {
        // Every refusal is the approval's, whatever identity calls it: the decision is not made.
        const message = error instanceof Error ? error.message : String(error);
        const reason = error instanceof GovernorError ? error.details?.reason : undefined;
        throw new GovernorError("APPROVAL_INVALID", message, { reason }, { cause: error });
      }
    },
  };
}

/**
 * Mints an approver token for `approver` with the console's secret: what an operator hands
 * a supervisor once, and what tests sign in with.
 *
 * @throws {GovernorError} CONFIG_INVALID for a short secret, an empty approver or a lifetime over 12 h.
 */
export async function signApproverToken(
  secret: string | Uint8Array,
  approver: string,
  options: { readonly expiresIn?: string | number; readonly now?: Date } = {},
): Promise<string> {
  return signToken(hs256Keys(secret), { approver, ...options });
}
