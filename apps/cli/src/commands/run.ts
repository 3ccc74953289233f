import { GovernorError, type RunBudget, type RunOutcome, type SampleCase } from "@governor/core";
import { type LoadedRun, runWithApprovals } from "../drive-run.js";
import { loadTarget } from "../load-target.js";
import { modelFor, modelsFor } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { readRunInput } from "../run-input.js";
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
  refuseEmptyOptions(options);
  const config = readWorkflowConfig(options.config);
  const loaded = await loadTarget(target, config);
  const cases = await selectCases(loaded.sample?.cases ?? [], options, loaded.workflow.name);
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

/**
 * Refuses option values that would otherwise be read as "not given": an empty --case ran
 * every case, an empty --thread asked for an approval no run had.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the option.
 */
function refuseEmptyOptions(options: RunCommandOptions): void {
  for (const [flag, value] of [
    ["--case", options.case],
    ["--thread", options.thread],
  ] as const) {
    if (value !== undefined && !value.trim()) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `${flag} is empty: give a ${flag === "--case" ? "case name (see governor samples)" : "thread id"}, or leave ${flag} out`,
      );
    }
  }
  if (options.case !== undefined && options.input !== undefined) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `--case ${options.case} and --input both say what to run: give one (--case plays a sample's case, --input runs your own input)`,
    );
  }
}

/**
 * The runs to play: the given input, the named case, or every case of the sample.
 *
 * @throws {GovernorError} INPUT_INVALID for bad --input (see readRunInput) or a target with
 *   no cases and no input; SAMPLE_UNKNOWN for a case the sample does not have; CONFIG_INVALID
 *   for --thread when several runs would start (one thread id cannot name them all).
 */
async function selectCases(
  cases: readonly SampleCase[],
  options: RunCommandOptions,
  workflow: string,
): Promise<SampleCase[]> {
  if (options.input !== undefined) {
    const input = await readRunInput(options.input, { stdin: process.stdin });
    return [{ name: "input", description: "", input }];
  }
  if (options.case !== undefined) {
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
      `Workflow "${workflow}" has no sample cases: pass --input '{...}', --input @input.json or --input - (see governor run ${workflow} --help for its fields)`,
    );
  if (options.thread !== undefined && cases.length > 1) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `--thread names one run, but "${workflow}" would play ${cases.length} cases (${cases.map((c) => c.name).join(", ")}): add --case NAME or --input`,
    );
  }
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
