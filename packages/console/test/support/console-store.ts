import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type ConsoleSecrets,
  type ConsoleWorkflow,
  createConsoleApp,
  newConsoleSecrets,
} from "@governor/console";
import { GovernorRuntime, type RunRecord } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, refundSample } from "@governor/sample-refund";
import { afterEach } from "vitest";

/** The port the in-process app believes it is bound to: requests go to this origin. */
export const PORT = 4321;
export const ORIGIN = `http://127.0.0.1:${PORT}`;

export const refund = createRefundSample();

export function refundWorkflow(): ConsoleWorkflow {
  return {
    name: "refund",
    source: "sample:refund",
    workflow: refund.workflow,
    options: { model: new ScenarioChatModel(refundSample.scenario) },
  };
}

export interface ConsoleStore {
  readonly dir: string;
  readonly runtime: GovernorRuntime;
  readonly workflows: ConsoleWorkflow[];
  readonly app: ReturnType<typeof createConsoleApp>;
  readonly secrets: ConsoleSecrets;
  /** Another runtime on the same store, as the CLI or a worker would open it. */
  other(): GovernorRuntime;
  /** Stops the console's live streams, as closing a started console does. */
  stop(): void;
}

/** A temp store, its runtime, and the console app over it (no socket); all closed after each test. */
export function useConsoleStore(): (options?: {
  workflows?: ConsoleWorkflow[];
  pollMs?: number;
  /** What the console sees instead of the store's runtime (a wrapper over it). */
  seen?: (runtime: GovernorRuntime) => GovernorRuntime;
  /** Other console options (approver tokens…). */
  extra?: Partial<ConsoleOptions>;
}) => ConsoleStore {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return (options = {}) => {
    const dir = mkdtempSync(join(tmpdir(), "governor-console-test-"));
    const runtimes: GovernorRuntime[] = [];
    const open = () => {
      const runtime = new GovernorRuntime({ dir });
      runtimes.push(runtime);
      return runtime;
    };
    const runtime = open();
    const workflows = options.workflows ?? [refundWorkflow()];
    const stop = new AbortController();
    const secrets = newConsoleSecrets();
    const app = createConsoleApp(
      {
        runtime: options.seen ? options.seen(runtime) : runtime,
        workflows,
        workflowFor: async (run: RunRecord) => workflows.find((w) => w.source === run.source),
        port: PORT,
        pollMs: options.pollMs ?? 50,
        defaultApprover: "supervisor:sam",
        ...options.extra,
      },
      secrets,
      { signal: stop.signal },
    );
    cleanups.push(async () => {
      stop.abort();
      for (const opened of runtimes) await opened.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return { dir, runtime, workflows, app, secrets, other: open, stop: () => stop.abort() };
  };
}

/** Runs one refund case on `runtime` as `governor run refund --case NAME --no-interactive` does. */
export async function runCase(runtime: GovernorRuntime, name: string) {
  const sampleCase = refund.cases.find((c) => c.name === name);
  if (!sampleCase) throw new Error(`no refund case ${name}`);
  return runtime.start(refund.workflow, sampleCase.input, {
    model: new ScenarioChatModel(refundSample.scenario),
    source: "sample:refund",
  });
}
