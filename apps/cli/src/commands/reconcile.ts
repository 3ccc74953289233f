import { findRun, GovernorError, reconcileEffect } from "@governor/core";
import { openExistingRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";

export interface ReconcileOptions {
  readonly happened?: boolean;
  readonly didNotHappen?: boolean;
  readonly approver?: string;
  readonly reason?: string;
  readonly key?: string;
  readonly dir?: string;
}

/**
 * `governor reconcile THREAD --happened|--did-not-happen --approver ID [--reason] [--key K]`:
 * settles a side effect whose outcome is unknown (the process died while the tool ran, so the
 * call may or may not have acted), as the person who checked the downstream system says.
 * Audited with who decided and why.
 *
 * @throws {GovernorError} CONFIG_INVALID without exactly one of --happened and
 *   --did-not-happen, or without --approver; RUN_NOT_FOUND; RESUME_INVALID when nothing is
 *   unknown or --key is needed.
 */
export async function reconcileCommand(
  terminal: Terminal,
  thread: string,
  options: ReconcileOptions,
): Promise<void> {
  if (Boolean(options.happened) === Boolean(options.didNotHappen)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "Say what the downstream system shows: exactly one of --happened and --did-not-happen",
      { threadId: thread },
    );
  }
  if (!options.approver) {
    throw new GovernorError("CONFIG_INVALID", "Reconciling needs who checked: pass --approver ID", {
      threadId: thread,
    });
  }
  const runtime = await openExistingRuntime(options.dir);
  try {
    const run = await findRun(runtime, thread);
    const happened = Boolean(options.happened);
    const effect = await reconcileEffect(runtime.store, {
      threadId: run.threadId,
      happened,
      approver: options.approver,
      reason: options.reason,
      key: options.key,
    });
    terminal.out(
      paint(
        terminal,
        happened ? "green" : "yellow",
        `● ${effect.tool} ${happened ? "recorded as happened" : "recorded as not happened"} · run ${run.threadId} · by ${options.approver}`,
      ),
    );
    terminal.out(
      happened
        ? "  a replay of this call reads it back as executed and never calls the tool again"
        : "  the call is recorded as failed (it did not take effect); it was never executed twice",
    );
  } finally {
    await runtime.close();
  }
}
