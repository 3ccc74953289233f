import type { Principal } from "@governor/identity";
import type { ScenarioScript } from "@governor/models";
import type { Workflow } from "../workflow/define-workflow.js";

/** One scripted situation of a sample: what the user asks, and who asks. */
export interface SampleCase {
  readonly name: string;
  readonly description: string;
  readonly input: Record<string, unknown>;
  readonly principal?: Principal;
  /** The agent acts for this user, with these of the user's scopes (a delegation token is issued for it). */
  readonly delegation?: { readonly userId: string; readonly scopes: readonly string[] };
}

/** A runnable sample: its workflow, the scenario model's script and the cases `governor run` plays. */
export interface SampleDefinition {
  readonly name: string;
  readonly description: string;
  readonly workflow: Workflow;
  readonly scenario: ScenarioScript;
  /**
   * Named models for steps with `models` routing rules (e.g. `{ fast, strong }`): the script
   * each plays offline, under its own name and price (`scenario:<script name>`). With
   * OPENAI_API_KEY each name is a real model instead (`GOVERNOR_MODEL_<NAME>`).
   */
  readonly models?: Readonly<Record<string, ScenarioScript>>;
  readonly cases: readonly SampleCase[];
}

export function defineSample(sample: SampleDefinition): SampleDefinition {
  return sample;
}
