import { existsSync, statSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { GovernorError, type SampleDefinition, type Workflow } from "@governor/core";
import type { ScenarioScript } from "@governor/models";
import { loadFailure, notAModule } from "./load-failure.js";
import { SAMPLES } from "./samples.js";
import {
  canonicalPath,
  readWorkflowConfig,
  registeredNameOf,
  type WorkflowConfig,
} from "./workflow-config.js";
import { workflowOfModule } from "./workflow-exports.js";

/** What a CLI target (a sample name, a registered workflow name or a module path) resolves to. */
export interface Target {
  readonly workflow: Workflow;
  readonly scenario?: ScenarioScript;
  readonly sample?: SampleDefinition;
  /**
   * What the run record keeps so another process finds the workflow again: `sample:NAME`,
   * `workflow:NAME` (a name in the operator's config) or `module:PATH` for a module the
   * operator ran without registering it. It is a name to look up, never a path to import.
   */
  readonly source: string;
  /** False for `module:` sources: another process resumes the run only once the module is registered. */
  readonly registered: boolean;
}

/** A path, as opposed to a name: it has a slash or a script extension. */
function looksLikePath(target: string): boolean {
  return /[\\/]/.test(target) || /\.(m?[jt]s|cjs|cts)$/.test(target);
}

/**
 * Resolves what the operator typed: a sample name, a workflow name from their config, or a
 * module path. Importing a path here is the operator's own choice.
 *
 * A module may export a sample (`defineSample`) or a workflow (`defineWorkflow`), as the
 * default export or as `sample`/`workflow`, or a factory of one (see workflowOfModule), and
 * optionally a `scenario` script.
 *
 * @throws {GovernorError} SAMPLE_UNKNOWN for an unknown name, WORKFLOW_LOAD_FAILED for a module that cannot be loaded or exports no workflow.
 */
export async function loadTarget(
  target: string,
  config: WorkflowConfig = readWorkflowConfig(),
): Promise<Target> {
  if (!looksLikePath(target)) {
    const sample = SAMPLES.get(target);
    if (sample) return fromSample(await sample.load());
    const path = config.workflows.get(target);
    if (path) return { ...(await importTarget(path)), source: `workflow:${target}`, registered: true };
    const names = [...SAMPLES.keys(), ...config.workflows.keys()];
    throw new GovernorError(
      "SAMPLE_UNKNOWN",
      `No sample or registered workflow named "${target}". Known: ${names.join(", ")}. To run your own workflow, pass a path such as ./my-workflow.ts or register it in ${config.file ?? "governor.config.json"}`,
      { target },
    );
  }
  const loaded = await importTarget(target);
  const name = registeredNameOf(config, target);
  return name
    ? { ...loaded, source: `workflow:${name}`, registered: true }
    : { ...loaded, source: `module:${canonicalPath(target)}`, registered: false };
}

/**
 * Finds the workflow of a stored run from its recorded source, importing nothing but the
 * named sample and the modules the operator's config names.
 *
 * The source came from the store, which whoever starts a run writes to: it is only a key.
 * `module:PATH` (a run of an unregistered module) resolves only when the config registers
 * that very module, and then the config's path is imported, never the stored one.
 *
 * @throws {GovernorError} SOURCE_UNREGISTERED when the source names no sample and no
 *   registered workflow (including any bare path); nothing is imported.
 */
export async function loadSource(
  source: string,
  config: WorkflowConfig = readWorkflowConfig(),
): Promise<Target> {
  const [kind, name] = splitSource(source);
  if (kind === "sample") {
    const sample = SAMPLES.get(name);
    if (sample) return fromSample(await sample.load());
    throw unregistered(source, `no sample is named "${name}"`, config);
  }
  if (kind === "workflow") {
    const path = config.workflows.get(name);
    if (path) return { ...(await importTarget(path)), source, registered: true };
    throw unregistered(source, `no workflow "${name}" is registered`, config);
  }
  if (kind === "module") {
    const registeredAs = registeredNameOf(config, name);
    const path = registeredAs && config.workflows.get(registeredAs);
    if (path) return { ...(await importTarget(path)), source: `workflow:${registeredAs}`, registered: true };
    throw unregistered(
      source,
      `the run was started from ${name}, which is not registered: add it to the "workflows" of ${config.file ?? "governor.config.json"} to resume it`,
      config,
    );
  }
  // Runs recorded before sources had kinds (or by a library caller that named none) hold a
  // bare workflow name or path: looked up the same way, never imported as given.
  const bareSample = kind === "" ? SAMPLES.get(source) : undefined;
  if (bareSample) return fromSample(await bareSample.load());
  if (kind === "" && config.workflows.has(source)) return loadSource(`workflow:${source}`, config);
  if (kind === "" && looksLikePath(source)) return loadSource(`module:${source}`, config);
  throw unregistered(source, "it is neither sample:NAME, workflow:NAME nor module:PATH", config);
}

function splitSource(source: string): [string, string] {
  const colon = source.indexOf(":");
  // A Windows drive letter ("C:\…") is a path, not a kind.
  if (colon <= 1) return ["", source];
  return [source.slice(0, colon), source.slice(colon + 1)];
}

function unregistered(source: string, why: string, config: WorkflowConfig): GovernorError {
  return new GovernorError(
    "SOURCE_UNREGISTERED",
    `Refused to load the run's workflow source ${JSON.stringify(source.slice(0, 300))}: ${why}. Governor loads only samples and the workflows named in the operator's config${config.file ? ` (${config.file})` : ""}; nothing was loaded`,
    { source: source.slice(0, 300), config: config.file ?? null },
  );
}

function fromSample(sample: SampleDefinition): Target {
  return {
    workflow: sample.workflow,
    scenario: sample.scenario,
    sample,
    source: `sample:${sample.name}`,
    registered: true,
  };
}

/** Imports a module the operator chose (a path they typed, or one their config names). */
async function importTarget(target: string): Promise<Omit<Target, "source" | "registered">> {
  const path = canonicalPath(target);
  if (!existsSync(path)) throw new GovernorError("WORKFLOW_LOAD_FAILED", `No file at ${path}`, { path });
  const refused = notAModule(path, statSync(path).isDirectory());
  if (refused) throw refused;
  let module: Record<string, unknown>;
  try {
    // tsx loads TypeScript modules at run time, so users need no build step for a workflow file.
    const { tsImport } = await import("tsx/esm/api");
    module = (await tsImport(pathToFileURL(path).href, import.meta.url)) as Record<string, unknown>;
  } catch (error) {
    throw loadFailure(path, error);
  }
  return workflowOfModule(module, path);
}
