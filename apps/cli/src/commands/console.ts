import type { ConsoleQueue, ConsoleWorkflow } from "@governor/console";
import { GovernorError, type RunRecord } from "@governor/core";
import { approverOf } from "../cli-values.js";
import { defaultApprover } from "../drive-run.js";
import { loadSource, type Target } from "../load-target.js";
import { targetModels } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { openRunQueue, queueConfigured } from "../run-queue-client.js";
import { SAMPLES } from "../samples.js";
import type { Terminal } from "../terminal.js";
import { readWorkflowConfig, type WorkflowConfig } from "../workflow-config.js";

/** The port `governor console` serves on unless told otherwise: one a supervisor can bookmark. */
export const DEFAULT_CONSOLE_PORT = 7878;
/** The secret approver tokens are signed with, for a console off loopback (at least 32 bytes). */
export const CONSOLE_SECRET_ENV = "GOVERNOR_CONSOLE_SECRET";

export interface ConsoleCommandOptions {
  readonly port?: string;
  readonly host?: string;
  readonly allowRemote?: boolean;
  readonly approver?: string;
  readonly dir?: string;
  readonly config?: string;
}

/**
 * `governor console`: serves the web console over the store the CLI uses, until SIGINT or
 * SIGTERM, then closes the server, the queue and the store and exits 0.
 *
 * Every sample and every workflow of the operator's config is drawn; a run's workflow is
 * found from its recorded source exactly as `governor approve` finds it (nothing else is
 * ever imported), with the same models.
 *
 * @throws {GovernorError} CONFIG_INVALID for a malformed --port, --host or --approver, a
 *   non-loopback --host without --allow-remote and GOVERNOR_CONSOLE_SECRET, or a port in use.
 */
export async function consoleCommand(terminal: Terminal, options: ConsoleCommandOptions): Promise<void> {
  const port = portOf(options.port);
  const host = hostOf(options.host);
  const approver = consoleApprover(options.approver);
  const secret = process.env[CONSOLE_SECRET_ENV];
  const { consoleSettingsOf, displayLocation, hmacApproverTokens, startConsole } = await import(
    "@governor/console"
  );
  // Checked before the store opens: a wrong flag creates nothing.
  const approverTokens = secret ? hmacApproverTokens(secret) : undefined;
  if (options.allowRemote && !approverTokens) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `--allow-remote needs approver tokens: set ${CONSOLE_SECRET_ENV} to a secret of at least 32 bytes, and hand each approver a token signed with it`,
      { env: CONSOLE_SECRET_ENV },
    );
  }
  consoleSettingsOf({
    host,
    port,
    ...(options.allowRemote ? { allowRemote: true } : {}),
    ...(approverTokens ? { approverTokens } : {}),
  });
  const config = readWorkflowConfig(options.config);
  const workflows = await registeredWorkflows(terminal, config);
  const runtime = await openRuntime(options.dir);
  let queue: (ConsoleQueue & { close(): Promise<void> }) | undefined;
  try {
    queue = queueConfigured() ? await openRunQueue() : undefined;
    const running = await startConsole({
      runtime,
      workflows,
      workflowFor: workflowResolver(config, workflows),
      host,
      port,
      ...(options.allowRemote ? { allowRemote: true } : {}),
      ...(approverTokens ? { approverTokens } : {}),
      defaultApprover: approver,
      ...(queue ? { queue } : {}),
    });
    terminal.out(`Governor console on ${running.url} (store ${displayLocation(runtime.store.location)})`);
    terminal.out(
      `  deciding as ${approverTokens ? "the approver each token names" : approver} · Ctrl-C stops it`,
    );
    await untilStopped();
    await running.close();
    terminal.out("console stopped");
  } finally {
    await queue?.close();
    await runtime.close();
  }
}

/** Every sample, then the operator's registered workflows; one that fails to load is named and left out. */
async function registeredWorkflows(terminal: Terminal, config: WorkflowConfig): Promise<ConsoleWorkflow[]> {
  const sources = [
    ...[...SAMPLES.keys()].map((name) => `sample:${name}`),
    ...[...config.workflows.keys()].map((name) => `workflow:${name}`),
  ];
  const workflows: ConsoleWorkflow[] = [];
  for (const source of sources) {
    try {
      workflows.push(await consoleWorkflowOf(await loadSource(source, config)));
    } catch (error) {
      terminal.err(
        `warning: ${source} is not shown: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return workflows;
}

async function consoleWorkflowOf(target: Target): Promise<ConsoleWorkflow> {
  let options: ConsoleWorkflow["options"];
  try {
    const models = await targetModels(target);
    options = {
      ...(models.model ? { model: models.model } : {}),
      ...(models.models ? { models: models.models } : {}),
    };
  } catch {
    // No model here (no scenario, no OPENAI_API_KEY): it is still drawn; deciding its runs says why it cannot.
    options = undefined;
  }
  return {
    name: target.workflow.name,
    source: target.source,
    workflow: target.workflow,
    ...(options ? { options } : {}),
  };
}

/**
 * A run's workflow from its recorded source, as `governor approve` resolves it: the loaded
 * samples and registered workflows by source, anything else through loadSource (which
 * refuses sources that are not registered). Undefined when it cannot be loaded: the console
 * shows the run but does not decide it.
 */
function workflowResolver(config: WorkflowConfig, known: readonly ConsoleWorkflow[]) {
  const bySource = new Map<string, Promise<ConsoleWorkflow | undefined>>(
    known.map((workflow) => [workflow.source, Promise.resolve(workflow)]),
  );
  return (run: RunRecord): Promise<ConsoleWorkflow | undefined> => {
    let found = bySource.get(run.source);
    if (!found) {
      found = loadSource(run.source, config).then(consoleWorkflowOf, () => undefined);
      bySource.set(run.source, found);
    }
    return found;
  };
}

function portOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_CONSOLE_PORT;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value.trim()) || port > 65_535) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `--port "${value}" must be a port number from 0 to 65535 (0 picks a free one)`,
      {
        port: value,
      },
    );
  }
  return port;
}

function hostOf(value: string | undefined): string {
  if (value === undefined) return "127.0.0.1";
  if (!value.trim())
    throw new GovernorError("CONFIG_INVALID", "--host is empty: give an address such as 127.0.0.1", {});
  return value.trim();
}

/** Who decides on loopback: as every command reads --approver and GOVERNOR_APPROVER, then one line of text. */
function consoleApprover(value: string | undefined): string {
  const approver = approverOf(value, defaultApprover);
  if (!approver.trim() || /\p{Cc}/u.test(approver)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `--approver ${JSON.stringify(approver)} is not an approver id`,
      {},
    );
  }
  return approver.trim();
}

function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(signal);
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.once("SIGINT", onInt);
    process.once("SIGTERM", onTerm);
  });
}
