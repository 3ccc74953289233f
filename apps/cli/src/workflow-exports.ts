import { GovernorError, isWorkflow, type SampleDefinition, type Workflow } from "@governor/core";
import type { ScenarioScript } from "@governor/models";

/** What a workflow module offers the CLI. */
export interface ModuleWorkflow {
  readonly workflow: Workflow;
  readonly scenario?: ScenarioScript;
  readonly sample?: SampleDefinition;
}

/** How a module may export its workflow: said whenever one cannot be found. */
const HOW_TO_EXPORT =
  'export it as `export const workflow = defineWorkflow({...})` (or `export default`), export a sample made with defineSample() as "sample", or export a factory that takes no required arguments, such as `export function createWorkflow() { return defineWorkflow({...}) }`';

/** Exports whose name says they make a workflow: called when the module exports no workflow itself. */
const FACTORY_NAME = /^(default|workflow|create\w*Workflow|make\w*Workflow|build\w*Workflow)$/;

/**
 * Finds the workflow a module exports: a sample (default or `sample`), a workflow (default,
 * `workflow` or any export), or else a factory, a function named `createWorkflow`,
 * `create<Name>Workflow` (as the samples' `createRefundWorkflow`) or exported as default or
 * `workflow`, taking no required arguments, returning a workflow or a promise of one.
 *
 * Only functions named as factories are called: importing the module is the operator's
 * choice, calling an arbitrary export of it is not.
 *
 * @throws {GovernorError} WORKFLOW_LOAD_FAILED naming the module and saying how to export a
 *   workflow when none is found, several factories compete, a factory needs arguments, throws,
 *   or returns something that is not a workflow.
 */
export async function workflowOfModule(
  module: Record<string, unknown>,
  path: string,
): Promise<ModuleWorkflow> {
  const candidates = [module.default, module.sample, module.workflow];
  for (const candidate of candidates) {
    if (isSample(candidate))
      return { workflow: candidate.workflow, scenario: candidate.scenario, sample: candidate };
  }
  const scenario = module.scenario as ScenarioScript | undefined;
  const workflow = candidates.find(isWorkflow) ?? Object.values(module).find(isWorkflow);
  if (workflow) return { workflow, scenario };
  const factories = Object.entries(module).filter(
    ([name, value]) => typeof value === "function" && FACTORY_NAME.test(name),
  ) as [string, (...args: unknown[]) => unknown][];
  if (factories.length === 0) {
    const exports = Object.keys(module);
    throw new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path} exports no workflow (its exports: ${exports.join(", ") || "none"}): ${HOW_TO_EXPORT}`,
      { path, exports },
    );
  }
  if (factories.length > 1) {
    throw new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path} exports several workflow factories (${factories.map(([name]) => name).join(", ")}): export the one to run as default`,
      { path, factories: factories.map(([name]) => name) },
    );
  }
  const [name, factory] = factories[0] as [string, (...args: unknown[]) => unknown];
  if (factory.length > 0) {
    throw new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path}: the factory ${name}() takes ${factory.length} required argument${factory.length > 1 ? "s" : ""}, which governor cannot supply: give them defaults, or ${HOW_TO_EXPORT}`,
      { path, factory: name },
    );
  }
  let made: unknown;
  try {
    made = await factory();
  } catch (error) {
    throw new GovernorError(
      "WORKFLOW_LOAD_FAILED",
      `${path}: the factory ${name}() threw: ${error instanceof Error ? error.message : String(error)}`,
      { path, factory: name },
      { cause: error },
    );
  }
  if (isSample(made)) return { workflow: made.workflow, scenario: made.scenario, sample: made };
  if (isWorkflow(made)) return { workflow: made, scenario };
  throw new GovernorError(
    "WORKFLOW_LOAD_FAILED",
    `${path}: the factory ${name}() returned ${describe(made)}, not a workflow made with defineWorkflow(): ${HOW_TO_EXPORT}`,
    { path, factory: name },
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object"
    ? "an object"
    : typeof value === "undefined"
      ? "undefined"
      : `a ${typeof value}`;
}

function isSample(value: unknown): value is SampleDefinition {
  return (
    typeof value === "object" &&
    value !== null &&
    isWorkflow((value as SampleDefinition).workflow) &&
    Array.isArray((value as SampleDefinition).cases)
  );
}
