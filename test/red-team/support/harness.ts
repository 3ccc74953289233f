import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GovernorError, GovernorRuntime, type GovernorRuntimeOptions } from "@governor/core";
import type { AuditRecord } from "@governor/observability";
import { expect } from "vitest";

/**
 * A fresh store per test: every runtime opened here shares one temp directory (as two
 * processes would share `.governor/`), and `cleanup()` closes them all and removes it.
 */
export interface Harness {
  readonly dir: string;
  /** The test's main runtime. */
  readonly runtime: GovernorRuntime;
  /** Another runtime on the same store, in this process: stands in for an operator or a second worker (a test that promises a real process spawns one). */
  open(options?: Omit<GovernorRuntimeOptions, "dir">): GovernorRuntime;
  cleanup(): void;
}

export function harness(options: Omit<GovernorRuntimeOptions, "dir"> = {}): Harness {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-red-team-"));
  const opened: GovernorRuntime[] = [];
  const open = (more: Omit<GovernorRuntimeOptions, "dir"> = {}) => {
    const runtime = new GovernorRuntime({ dir, ...more });
    opened.push(runtime);
    return runtime;
  };
  return {
    dir,
    runtime: open(options),
    open,
    cleanup() {
      for (const runtime of opened.splice(0)) {
        try {
          runtime.close();
        } catch {
          // closed by the test already
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The GovernorError a promise rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  const caught = await promise.then(
    () => expect.fail("expected the call to be refused"),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

/** A run's audit records, optionally of one kind (and outcome). */
export function auditOf(
  runtime: GovernorRuntime,
  threadId: string,
  kind?: string,
  outcome?: string,
): AuditRecord[] {
  return runtime.store.audit
    .list(threadId)
    .filter((record) => (!kind || record.kind === kind) && (!outcome || record.outcome === outcome));
}

/** The run's execution records as `tool:outcome`: empty when no handler was ever tried. */
export function executions(runtime: GovernorRuntime, threadId: string): string[] {
  return auditOf(runtime, threadId, "execution").map((record) => `${record.tool}:${record.outcome}`);
}

interface MessageLike {
  getType(): string;
  content: unknown;
}

/** What the model was told about its calls: the tool messages in the run's conversation. */
export function toolReplies(state: Record<string, unknown>): string[] {
  const messages = (state.messages ?? []) as MessageLike[];
  return messages.filter((message) => message.getType() === "tool").map((message) => String(message.content));
}

/** Governor's slot in the final state: which branch each routing node took, what stopped the run. */
export function governorOf(state: Record<string, unknown>): {
  routes: Record<string, string>;
  stop: { code: string; node: string; by?: string } | null;
  outcomes: { tool: string; ok: boolean; replayed?: boolean }[];
} {
  return state.governor as ReturnType<typeof governorOf>;
}
