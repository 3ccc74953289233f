import type { SampleDefinition } from "@governor/core";
import { GovernorError } from "@governor/errors";

/**
 * A sample `governor run NAME` knows, by name, and how to load it.
 *
 * Only the sample being run is imported. Importing every sample made each `governor` command
 * load seven workflows' code (and, before their policies were deferred, parse seven Cedar
 * policy sets): most of the CLI's start-up CPU, for samples the command never touched.
 */
export interface SampleEntry {
  readonly name: string;
  /** Imports the sample's package (once per process: the module cache keeps it). */
  load(): Promise<SampleDefinition>;
}

/**
 * The entry of the sample a package exports as `exportName`.
 *
 * The loaded sample must carry the entry's name: a run records `sample:NAME`, and a renamed
 * sample must not resume runs recorded under one name with the workflow of another.
 */
function entry(name: string, load: () => Promise<Record<string, unknown>>, exportName: string): SampleEntry {
  return {
    name,
    load: async () => {
      const sample = (await load())[exportName] as SampleDefinition | undefined;
      if (!sample || sample.name !== name)
        throw new GovernorError(
          "SAMPLE_UNKNOWN",
          `The package of sample "${name}" exports ${exportName} as ${sample ? `"${sample.name}"` : "nothing"}: the CLI's sample list and the package disagree`,
          { sample: name },
        );
      return sample;
    },
  };
}

/** The samples by name; nothing of a sample is imported until its entry is loaded. */
export const SAMPLES: ReadonlyMap<string, SampleEntry> = new Map(
  [
    entry("refund", () => import("@governor/sample-refund"), "refundSample"),
    entry("claims", () => import("@governor/sample-claims"), "claimsSample"),
    entry("mailbox", () => import("@governor/sample-mailbox"), "mailboxSample"),
    entry("support-agent", () => import("@governor/sample-support-agent"), "supportSample"),
    entry("receivables", () => import("@governor/sample-receivables"), "receivablesSample"),
    entry("supply-chain", () => import("@governor/sample-supply-chain"), "supplyChainSample"),
    entry("carrier-routing", () => import("@governor/sample-carrier-routing"), "carrierRoutingSample"),
  ].map((sample) => [sample.name, sample]),
);
