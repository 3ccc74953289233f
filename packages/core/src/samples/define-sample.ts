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
  readonly cases: readonly SampleCase[];
}

export function defineSample(sample: SampleDefinition): SampleDefinition {
  return sample;
}
