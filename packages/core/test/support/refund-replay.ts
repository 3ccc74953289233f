import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorRuntime } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { CedarPolicyEngine } from "@governor/policy";
import { createRefundWorkflow, PaymentsLedger, refundScenario } from "@governor/sample-refund";

/** The refund sample's own policy directory. */
export const REFUND_POLICIES = fileURLToPath(new URL("../../../../graphs/refund/policies/", import.meta.url));

/** The refund sample's inputs, by what the policy does with them. */
export const REFUND_CASES = {
  small: { customerId: "C-100", orderId: "A-1001", request: "My lamp arrived cracked. Please refund $120." },
  large: {
    customerId: "C-100",
    orderId: "A-1002",
    request: "The laptop never arrived. I want $1,200 back now.",
  },
  flagged: { customerId: "C-300", orderId: "A-3001", request: "Refund my headphones, $80 please." },
} as const;

/** A scenario model that counts how often it is asked: a replay must never ask it. */
export class CountingModel extends ScenarioChatModel {
  calls = 0;
  override async _generate(...args: Parameters<ScenarioChatModel["_generate"]>) {
    this.calls++;
    return super._generate(...args);
  }
}

/** A store in a temp dir, the refund workflow over a ledger that counts refunds, and its cleanup. */
export function refundDesk() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-replay-test-"));
  const runtime = new GovernorRuntime({ dir });
  const ledger = new PaymentsLedger();
  const workflow = createRefundWorkflow({ ledger });
  const model = new CountingModel(refundScenario);
  return {
    dir,
    runtime,
    ledger,
    workflow,
    model,
    /** The same workflow (and ledger) deciding under the Cedar policies in `policyDir`. */
    withPolicies: (policyDir: string) =>
      createRefundWorkflow({ ledger, policy: CedarPolicyEngine.fromDirectory(policyDir) }),
    cleanup() {
      runtime.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A copy of the refund policies in a temp dir with `edit` applied to the policy text: how a
 * test writes a stricter or looser policy set.
 */
export function editedPolicies(edit: (text: string) => string): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-policies-"));
  fs.copyFileSync(path.join(REFUND_POLICIES, "refund.cedarschema"), path.join(dir, "refund.cedarschema"));
  const text = fs.readFileSync(path.join(REFUND_POLICIES, "refund.cedar"), "utf8");
  fs.writeFileSync(path.join(dir, "refund.cedar"), edit(text));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The refund limit lowered from $500 to $100. */
export const stricterLimit = (text: string) =>
  text.replace('decimal("500.0")', 'decimal("100.0")').replace("above $500", "above $100");

/** The flagged-account ban removed. */
export const noFlaggedBan = (text: string) =>
  text.slice(0, text.indexOf('@id("no-refund-to-flagged-account")'));
