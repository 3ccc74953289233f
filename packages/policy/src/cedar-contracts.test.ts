import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";

const refundDir = new URL("../../../graphs/refund/policies/", import.meta.url);
const refundSchema = fs.readFileSync(new URL("refund.cedarschema", refundDir), "utf8");
const refundPolicies = fs.readFileSync(new URL("refund.cedar", refundDir), "utf8");

/** The refund sample's policies over a schema edited by `edit`, to make it drift from a contract. */
function refundWith(edit: (schema: string) => string, policies = refundPolicies): CedarPolicyEngine {
  return new CedarPolicyEngine({
    schema: { name: "refund.cedarschema", text: edit(refundSchema) },
    policies: [{ name: "refund.cedar", text: policies }],
  });
}

const refundInput = z
  .object({
    orderId: z.string().regex(/^A-\d{4}$/),
    amount: z.number().positive(),
    reason: z.string().min(3),
  })
  .strict();
const tool = (input: unknown, name = "issue_refund") => ({ name, input });
const paths = (engine: CedarPolicyEngine, input: unknown, name?: string) =>
  engine.checkContracts([tool(input, name)]).map((mismatch) => mismatch.path);

describe("checking a Cedar schema against the tools' zod contracts", () => {
  const refund = CedarPolicyEngine.fromDirectory(refundDir);

  it("finds nothing between the refund sample's schema and its tool", () => {
    expect(refund.checkContracts([tool(refundInput)])).toEqual([]);
  });

  it("reports a contract that takes fractions where the schema declares Long", () => {
    const longAmounts = refundWith(
      (schema) => schema.replace("amount: decimal", "amount: Long"),
      refundPolicies.replace(
        'context.args.amount.greaterThan(decimal("500.0"))',
        "context.args.amount > 500",
      ),
    );
    const [mismatch, ...rest] = longAmounts.checkContracts([tool(refundInput)]);
    expect(rest).toEqual([]);
    expect(mismatch).toMatchObject({
      code: "POLICY_CONTRACT_MISMATCH",
      path: "policy.actions.issue_refund.context.args.amount",
      tool: "issue_refund",
    });
    expect(mismatch?.message).toMatch(/declares Long: a fractional value is refused; declare it decimal/);
    // An integer contract is what Long means.
    expect(paths(longAmounts, refundInput.extend({ amount: z.number().int().positive() }))).toEqual([]);
  });

  it("reports an argument the schema lacks, one it requires that the contract never gives, and a type mismatch", () => {
    expect(paths(refund, refundInput.extend({ note: z.string() }))).toEqual([
      "policy.actions.issue_refund.context.args.note",
    ]);
    expect(paths(refund, refundInput.omit({ reason: true }))).toEqual([
      "policy.actions.issue_refund.context.args.reason",
    ]);
    expect(paths(refund, refundInput.extend({ orderId: z.number().int() }))).toEqual([
      "policy.actions.issue_refund.context.args.orderId",
    ]);
  });

  it("reports an optional argument the schema requires, but not one with a default", () => {
    expect(paths(refund, refundInput.extend({ reason: z.string().optional() }))).toEqual([
      "policy.actions.issue_refund.context.args.reason",
    ]);
    expect(paths(refund, refundInput.extend({ reason: z.string().nullable() }))).toEqual([
      "policy.actions.issue_refund.context.args.reason",
    ]);
    expect(paths(refund, refundInput.extend({ reason: z.string().default("none") }))).toEqual([]);
  });

  it("reports a tool the schema has no action for", () => {
    expect(refund.checkContracts([tool(refundInput, "wire_money")])).toEqual([
      expect.objectContaining({ path: "policy.actions.wire_money", tool: "wire_money" }),
    ]);
  });

  it("follows nested records, sets and common types", () => {
    const nested = new CedarPolicyEngine({
      schema: {
        name: "pay.cedarschema",
        text: `namespace Governor {
  entity Agent = { roles: Set<String> };
  type Money = decimal;
  type Line = { sku: String, price: Money, qty: Long };
  action pay appliesTo { principal: Agent, resource: Agent, context: { args: { lines: Set<Line>, at: datetime } } };
}`,
      },
      policies: [{ name: "pay.cedar", text: '@id("p") permit (principal, action, resource);' }],
    });
    const line = z.object({ sku: z.string(), price: z.number(), qty: z.number().int() });
    const input = z.object({ lines: z.array(line), at: z.string() });
    expect(paths(nested, input, "pay")).toEqual([]);
    expect(paths(nested, input.extend({ lines: z.array(line.extend({ qty: z.number() })) }), "pay")).toEqual([
      "policy.actions.pay.context.args.lines[].qty",
    ]);
    expect(paths(nested, input.extend({ lines: line }), "pay")).toEqual([
      "policy.actions.pay.context.args.lines",
    ]);
  });
});
