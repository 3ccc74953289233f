import type { GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditOf, governorOf, type Harness, harness, toolReplies } from "./support/harness.js";
import {
  LAMP,
  LAPTOP,
  type RefundDesk,
  refundAttack,
  refundCall,
  refundDesk,
} from "./support/refund-desk.js";

/**
 * Contract: the model's arguments are parsed by the tool's zod schema before anything else
 * is asked. Every malformed payload below is refused at the precondition, is audited with
 * the path of what was wrong, never reaches policy, and never reaches the payments system.
 */

let h: Harness;
let runtime: GovernorRuntime;
let desk: RefundDesk;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
  desk = refundDesk();
});
afterEach(() => h.cleanup());

const valid = { orderId: "A-1002", amount: 100, reason: "customer request" };

/** id, what the attack sends, and the argument path the contract must name. */
const malformed: [string, Record<string, unknown>, string][] = [
  ['C-1 amount as the string "1200"', { ...valid, amount: "1200" }, "amount"],
  ["C-2 a negative amount", { ...valid, amount: -50 }, "amount"],
  ["C-3 a zero amount", { ...valid, amount: 0 }, "amount"],
  ["C-4 a huge amount (1e12), far above the hard cap", { ...valid, amount: 1e12 }, "amount"],
  ['C-5 a NaN-ish amount ("NaN")', { ...valid, amount: "NaN" }, "amount"],
  [
    "C-7 an extra field the strict schema does not know (approvedBy)",
    { ...valid, approvedBy: "supervisor:sam" },
    "(arguments)",
  ],
  ["C-8 a missing field (no reason)", { orderId: "A-1002", amount: 100 }, "reason"],
  ["C-9 an order id in the wrong format", { ...valid, orderId: "A-1002' OR 1=1 --" }, "orderId"],
  ["C-10 an array where a number belongs", { ...valid, amount: [1200] }, "amount"],
  ["C-11 Infinity as the amount", { ...valid, amount: Number.POSITIVE_INFINITY }, "amount"],
  ["C-12 NaN (the number) as the amount", { ...valid, amount: Number.NaN }, "amount"],
];

describe("contract", () => {
  it.each(malformed)("%s is refused by the contract; nothing executes", async (_case, args, path) => {
    const attack = refundAttack("malformed", [{ name: "issue_refund", args }]);

    const outcome = await runtime.start(desk.workflow, LAPTOP, { model: attack.model });

    expect(desk.ledger.refunds).toHaveLength(0);
    const records = auditOf(runtime, outcome.threadId);
    const contract = records.filter((record) => record.kind === "contract");
    expect(contract).toHaveLength(1);
    expect(contract[0]).toMatchObject({ outcome: "refused", tool: "issue_refund", node: "check_refund" });
    const violations = contract[0]?.data.violations as { path: string; message: string }[];
    expect(violations.map((violation) => violation.path)).toContain(path);
    expect(
      records.filter((record) => record.kind === "precondition").map((record) => record.outcome),
    ).toEqual(["fail"]);
    expect(records.some((record) => record.kind === "policy" || record.kind === "execution")).toBe(false);
    expect(outcome.status).toBe("completed");
    expect(governorOf(outcome.state).routes.check_refund).toBe("fail");
    expect(outcome.state.refund).toBeUndefined();
    // The model is told its arguments were refused, and by what.
    expect(toolReplies(outcome.state).at(-1)).toContain("were refused by its contract");
  });

  it("C-6 a fractional amount (500.4) just over the limit goes to a supervisor: Cedar compares the decimal, it does not round", async () => {
    // Rounded to 500 the refund would pass the $500 autonomous limit without a supervisor.
    const attack = refundAttack("fraction", [refundCall({ orderId: "A-1002", amount: 500.4 })]);

    const outcome = await runtime.start(desk.workflow, LAPTOP, { model: attack.model });

    expect(desk.ledger.refunds).toHaveLength(0);
    const policy = auditOf(runtime, outcome.threadId, "policy");
    expect(policy).toHaveLength(1);
    expect(policy[0]).toMatchObject({ outcome: "require-approval", tool: "issue_refund" });
    expect(policy[0]?.data.policyIds).toEqual(["refund-over-limit-needs-approval"]);
    expect(auditOf(runtime, outcome.threadId, "execution")).toHaveLength(0);
    expect(outcome.status).toBe("waiting");
  });

  it("C-13 a fraction below the limit (120.5) is refunded exactly, not rounded", async () => {
    const attack = refundAttack("small-fraction", [refundCall({ orderId: "A-1001", amount: 120.5 })]);

    const outcome = await runtime.start(desk.workflow, LAMP, { model: attack.model });

    expect(desk.ledger.refunds.map((refund) => refund.amount)).toEqual([120.5]);
    const policy = auditOf(runtime, outcome.threadId, "policy");
    expect(policy.map((record) => record.outcome)).toEqual(["allow"]);
    expect(outcome.status).toBe("completed");
    expect(governorOf(outcome.state).routes.refund_gate).toBe("allow");
  });

  it("C-13b an amount with more cents than a Cedar decimal holds (120.00001) is denied, naming the argument, not rounded", async () => {
    const attack = refundAttack("tiny-fraction", [refundCall({ orderId: "A-1001", amount: 120.00001 })]);

    const outcome = await runtime.start(desk.workflow, LAMP, { model: attack.model });

    expect(desk.ledger.refunds).toHaveLength(0);
    const policy = auditOf(runtime, outcome.threadId, "policy");
    expect(policy.map((record) => record.outcome)).toEqual(["deny"]);
    expect(String(policy[0]?.data.reasons)).toContain(
      "context.args.amount is 120.00001: a Cedar decimal has at most 4 decimal places",
    );
    expect(auditOf(runtime, outcome.threadId, "execution")).toHaveLength(0);
    expect(governorOf(outcome.state).routes.refund_gate).toBe("deny");
  });
});
