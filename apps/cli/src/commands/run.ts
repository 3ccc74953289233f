import { GovernorError, type RunBudget, type RunOutcome, type SampleCase } from "@governor/core";
import { type LoadedRun, runWithApprovals } from "../drive-run.js";
import { loadTarget } from "../load-target.js";
import { modelFor, modelsFor } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

export interface RunCommandOptions {
  readonly case?: string;
  readonly input?: string;
  readonly thread?: string;
  readonly dir?: string;
  /** The operator's workflow config (--config); default GOVERNOR_CONFIG or ./governor.config.json. */
  readonly config?: string;
  /** false with --no-interactive: never prompt, leave approvals pending. */
  readonly interactive?: boolean;
  readonly maxTokens?: string;
  readonly maxCost?: string;
  readonly maxSteps?: string;
  /** --queue: admit the runs and leave them to workers (REDIS_URL). */
  readonly queue?: boolean;
}

/**
 * `governor run TARGET`: plays a sample's cases (or one, or the given input) end to end,
 * printing each governance step. A run that needs approval asks at the terminal when a
 * person is there, and otherwise stays waiting for `governor approve`.
 *
 * @returns the outcomes, so the caller can set the exit code.
 */
export async function runCommand(
  terminal: Terminal,
  target: string,
  options: RunCommandOptions,
): Promise<RunOutcome[]> {
  const config = readWorkflowConfig(options.config);
  const loaded = await loadTarget(target, config);
  const cases = selectCases(loaded.sample?.cases ?? [], options, loaded.workflow.name);
  if (options.queue) {
    // Admitted here, run by a worker: no outcome yet (the thread ids are printed).
    const { queueRuns } = await import("./queue-run.js");
    await queueRuns(terminal, loaded, cases, { ...options, budget: budgetOf(options) });
    return [];
  }
  const model = await modelFor(loaded);
  const named = await modelsFor(loaded);
  const runtime = await openRuntime(options.dir);
  try {
    terminal.out(
      paint(terminal, "bold", `Governor · ${loaded.workflow.name}`) +
        (loaded.workflow.description ? ` — ${loaded.workflow.description}` : ""),
    );
    // Steps that route between named models show each name with the model it stands for.
    const shown = [...(model ? [model.name] : []), ...(named?.names ?? [])];
    const offline = model?.kind === "scenario" || named?.kind === "scenario";
    terminal.out(
      `${named ? "models" : "model"}: ${shown.join(", ") || "none"}${offline ? " (offline scripted model; set OPENAI_API_KEY for a real one)" : ""} · store: ${runtime.store.location}`,
    );
    if (!loaded.registered) {
      // The operator chose to import this module; nobody else may make governor import it.
      // Its runs record the module as a key that resolves only once the config lists it.
      terminal.out(
        paint(
          terminal,
          "yellow",
          `note: ${loaded.source.slice("module:".length)} is not registered in ${config.file ?? "governor.config.json"}: governor approve, reject, recover and budget will refuse these runs until it is listed under "workflows"`,
        ),
      );
    }
    const outcomes: RunOutcome[] = [];
    for (const sampleCase of cases) {
      terminal.out();
      terminal.out(
        paint(terminal, "bold", `━━ ${sampleCase.name}`) +
          (sampleCase.description ? ` — ${sampleCase.description}` : ""),
      );
      const run: LoadedRun = {
        runtime,
        workflow: loaded.workflow,
        model: model?.model,
        models: named?.models,
        source: loaded.source,
      };
      outcomes.push(
        await runWithApprovals(terminal, run, {
          input: sampleCase.input,
          principal: sampleCase.principal,
          delegation: sampleCase.delegation,
          threadId: cases.length === 1 ? options.thread : undefined,
          interactive: options.interactive !== false && terminal.interactive,
          budget: budgetOf(options),
        }),
      );
    }
    return outcomes;
  } finally {
    await runtime.close();
  }
}

function selectCases(
  cases: readonly SampleCase[],
  options: RunCommandOptions,
  workflow: string,
): SampleCase[] {
  if (options.input !== undefined) {
    let input: unknown;
    try {
      input = JSON.parse(options.input);
    } catch (error) {
      throw new GovernorError(
        "INPUT_INVALID",
        `--input is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return [{ name: "input", description: "", input: input as Record<string, unknown> }];
  }
  if (options.case) {
    const found = cases.find((c) => c.name === options.case);
    if (!found) {
      throw new GovernorError(
        "SAMPLE_UNKNOWN",
        `Workflow "${workflow}" has no case "${options.case}". Cases: ${cases.map((c) => c.name).join(", ") || "none (use --input)"}`,
      );
    }
    return [found];
  }
  if (!cases.length)
    throw new GovernorError(
      "INPUT_INVALID",
      `Workflow "${workflow}" has no sample cases: pass --input '{...}'`,
    );
  return [...cases];
}

/** A run budget from --max-* flags; the runtime validates the numbers and names a bad one. */
function budgetOf(options: RunCommandOptions): RunBudget | undefined {
  const budget = {
    maxTokens: options.maxTokens === undefined ? undefined : Number(options.maxTokens),
    maxCostUsd: options.maxCost === undefined ? undefined : Number(options.maxCost),
    maxSteps: options.maxSteps === undefined ? undefined : Number(options.maxSteps),
  };
  return Object.values(budget).some((value) => value !== undefined) ? budget : undefined;
}
