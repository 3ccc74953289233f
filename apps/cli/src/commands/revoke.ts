import { GovernorError } from "@governor/core";
import { openRuntime } from "../open-runtime.js";
import { operator } from "../operator.js";
import { paint, type Terminal } from "../terminal.js";

export interface RevokeOptions {
  readonly thread?: string;
  readonly reason?: string;
  readonly dir?: string;
}

/**
 * `governor revoke JTI` or `governor revoke --thread T`: revokes a user's delegation. Every
 * run acting under it, in any process on this store, stops at its next step (failed,
 * IDENTITY_TOKEN_REVOKED) and nothing more executes under it.
 *
 * @throws {GovernorError} CONFIG_INVALID without exactly one of JTI and --thread, or when
 *   the thread's run acts under no delegation; RUN_NOT_FOUND for an unknown thread.
 */
export async function revokeCommand(
  terminal: Terminal,
  jti: string | undefined,
  options: RevokeOptions,
): Promise<void> {
  if ((jti === undefined) === (options.thread === undefined)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "Give either a delegation token id (jti) or --thread, not both",
    );
  }
  const runtime = await openRuntime(options.dir);
  try {
    const id =
      jti ??
      delegationOf((await runtime.getRun(options.thread as string)).principal, options.thread as string);
    const record = await runtime.revokeDelegation(id, { reason: options.reason, by: operator() });
    terminal.out(paint(terminal, "red", `■ delegation ${record.jti} revoked: ${record.reason}`));
    terminal.out("  runs acting under it stop at their next step; the token can never start a run again");
  } finally {
    await runtime.close();
  }
}

function delegationOf(principal: { id: string; delegation?: { jti: string } }, thread: string): string {
  if (!principal.delegation) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Run ${thread} acts as ${principal.id}, under no user's delegation: stop it with governor kill instead`,
      { threadId: thread },
    );
  }
  return principal.delegation.jti;
}
