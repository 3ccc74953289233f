import { randomUUID } from "node:crypto";
import { GovernorRuntime, GovernorStore } from "@governor/core";
import type { GovernorResult } from "./governor-bin.js";

/** The thread id `governor run … --queue` printed ("<thread> queued"). */
export function queuedThread(result: GovernorResult): string {
  const match = /^(\S+) queued/m.exec(result.out);
  if (!match?.[1]) throw new Error(`no queued thread in:\n${result.out}\n${result.err}`);
  return match[1];
}

/** A queue name of its own per test, so tests sharing a redis-server never see each other's jobs. */
export function queueName(what: string): string {
  return `governor-test-${what}-${randomUUID().slice(0, 8)}`;
}

/** An audit record as `governor audit show --json` prints it. */
export interface ShownRecord {
  readonly kind: string;
  readonly outcome: string;
  readonly tool?: string;
  readonly principal?: string;
  readonly data: Record<string, unknown>;
}

/** `issue_refund` execution outcomes in a run's audit, in order. */
export function refundExecutions(records: readonly ShownRecord[]): string[] {
  return records
    .filter((record) => record.kind === "execution" && record.tool === "issue_refund")
    .map((record) => record.outcome);
}

/**
 * The runtime of the test process on the same store as the processes under test: the SQLite
 * store in `dir`, or PostgreSQL at `databaseUrl`.
 */
export async function testRuntime(dir: string, databaseUrl?: string): Promise<GovernorRuntime> {
  if (!databaseUrl) return new GovernorRuntime({ store: new GovernorStore(dir) });
  const { openPostgresStore } = await import("@governor/store-postgres");
  const store = await openPostgresStore({ url: databaseUrl, dir });
  return new GovernorRuntime({ store } as unknown as ConstructorParameters<typeof GovernorRuntime>[0]);
}
