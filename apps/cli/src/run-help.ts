import { describeInput } from "./input-shape.js";
import { loadTarget } from "./load-target.js";
import { readWorkflowConfig } from "./workflow-config.js";

/**
 * What `governor run TARGET --help` adds after the usage: the target's state fields, which is
 * the shape --input expects, and a sample case's input as an example. Loading the target is
 * what `run` would do anyway; its failure is reported like a run's.
 */
export async function runTargetHelp(target: string, config?: string): Promise<string[]> {
  const loaded = await loadTarget(target, readWorkflowConfig(config));
  return ["", ...describeInput(loaded.workflow, loaded.sample?.cases[0]?.input)];
}
