import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { GovernorError, isWorkflow, type SampleDefinition, type Workflow } from "@governor/core";
import type { ScenarioScript } from "@governor/models";
import { SAMPLES } from "./samples.js";

/** What a CLI target (a sample name or a module path) resolves to. */
export interface Target {
  readonly workflow: Workflow;
  readonly scenario?: ScenarioScript;
  readonly sample?: SampleDefinition;
  /** What to store on the run so `governor approve` finds the workflow again. */
  readonly source: string;
}

/** A path, as opposed to a sample name: it has a slash or a script extension. */
function looksLikePath(target: string): boolean {
  return /[\\/]/.test(target) || /\.(m?[jt]s|cjs|cts)$/.test(target);
}

/**
 * Resolves a sample name or a workflow module.
 *
 * A module may export a sample (`defineSample`) or a workflow (`defineWorkflow`), as the
 * default export or as `sample`/`workflow`, and optionally a `scenario` script.
 *
 * @throws {GovernorError} SAMPLE_UNKNOWN for an unknown name, WORKFLOW_LOAD_FAILED for a module that cannot be loaded or exports no workflow.
 */
export async function loadTarget(target: string): Promise<Target> {
  if (!looksLikePath(target)) {
    const sample = SAMPLES.get(target);
    if (!sample) {
      throw new GovernorError(
        "SAMPLE_UNKNOWN",
        `No sample named "${target}". Samples: ${[...SAMPLES.keys()].join(", ")}. To run your own workflow, pass a path such as ./my-workflow.ts`,
        { target },
      );
    }
    return { workflow: sample.workflow, scenario: sample.scenario, sample, source: `sample:${sample.name}` };
  }
  const path = resolve(target);
  if (!existsSync(path)) throw new GovernorError("WORKFLOW_LOAD_FAILED", `No file at ${path}`, { path });
  let module: Record<string, unknown>;
  try {
    // tsx loads TypeScript modules at run time, so users need no build step for a workflow file.
    const { tsImport } = await import("tsx/esm/api");
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `Could not load ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { path },
      { cause: error },
    );
  }
  return fromModule(module, path);
}

function fromModule(module: Record<string, unknown>, path: string): Target {
  const candidates = [module.default, module.sample, module.workflow];
  for (const candidate of candidates) {
    if (isSample(candidate))
      return { workflow: candidate.workflow, scenario: candidate.scenario, sample: candidate, source: path };
  }
  const workflow = candidates.find(isWorkflow) ?? Object.values(module).find(isWorkflow);
  if (!workflow) {
    throw new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path} exports no workflow: export one made with defineWorkflow() as default or as "workflow"`,
      { path, exports: Object.keys(module) },
    );
  }
  return { workflow, scenario: module.scenario as ScenarioScript | undefined, source: path };
}

function isSample(value: unknown): value is SampleDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    isWorkflow((value as SampleDefinition).workflow) &&
    Array.isArray((value as SampleDefinition).cases)
  );
}

/** Finds the workflow of a stored run from its recorded source. */
export async function loadSource(source: string): Promise<Target> {
  return loadTarget(source.startsWith("sample:") ? source.slice("sample:".length) : source);
}
