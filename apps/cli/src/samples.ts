import type { SampleDefinition } from "@governor/core";
import { refundSample } from "@governor/sample-refund";

/** The samples `governor run NAME` knows, by name. */
export const SAMPLES: ReadonlyMap<string, SampleDefinition> = new Map([[refundSample.name, refundSample]]);
