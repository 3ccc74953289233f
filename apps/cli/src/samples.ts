import type { SampleDefinition } from "@governor/core";
import { carrierRoutingSample } from "@governor/sample-carrier-routing";
import { claimsSample } from "@governor/sample-claims";
import { mailboxSample } from "@governor/sample-mailbox";
import { receivablesSample } from "@governor/sample-receivables";
import { refundSample } from "@governor/sample-refund";
import { supplyChainSample } from "@governor/sample-supply-chain";
import { supportSample } from "@governor/sample-support-agent";

/** The samples `governor run NAME` knows, by name. */
export const SAMPLES: ReadonlyMap<string, SampleDefinition> = new Map(
  [
    refundSample,
    claimsSample,
    mailboxSample,
    supportSample,
    receivablesSample,
    supplyChainSample,
    carrierRoutingSample,
  ].map((sample) => [sample.name, sample]),
);
