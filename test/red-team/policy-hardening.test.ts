import fs from "node:fs";
import {
  defineTool,
  defineWorkflow,
  END,
  findWorkflowIssues,
  type GovernorRuntime,
  START,
  type Workflow,
} from "@governor/core";
import { agentPrincipal, defineIdentity } from "@governor/identity";
import { CedarPolicyEngine, explain, type PolicyRequest, RulePolicyEngine } from "@governor/policy";
import { claimsSample } from "@governor/sample-claims";
import { mailboxSample } from "@governor/sample-mailbox";
import { refundSample } from "@governor/sample-refund";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { proposing } from "./support/attacker.js";
import { guardedCall } from "./support/guarded-call.js";
import { auditOf, executions, type Harness, harness, rejection, toolReplies } from "./support/harness.js";
import {
  LAMP,
  LAPTOP,
  type RefundDesk,
  refundAttack,
  refundCall,
  refundDesk,
} from "./support/refund-desk.js";

/**
 * Policy hardening: the engine itself as the attack surface. Facts a rule cannot read, request
 * types a warm cache would wave through, money with cents, lists a set would shrink, a schema
 * that drifted from its tool's contract. Each case counts real effects (refunds, payouts).
 */

const refundDir = new URL("../../graphs/refund/policies/", import.meta.url);
const refundSources = () => ({
  schema: {
    name: "refund.cedarschema",
    text: fs.readFileSync(new URL("refund.cedarschema", refundDir), "utf8"),
  },
  policies: [{ name: "refund.cedar", text: fs.readFileSync(new URL("refund.cedar", refundDir), "utf8") }],
});

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

/** Runs one refund call through the refund workflow under `desk`'s policy. */
async function refund(desk: RefundDesk, input: typeof LAMP, amount: number) {
  const attack = refundAttack(`refund-${amount}`, [refundCall({ orderId: input.orderId, amount })]);
  return runtime.start(desk.workflow, input, { model: attack.model });
}

const policyRecords = (threadId: string) => auditOf(runtime, threadId, "policy");

describe("rules over facts that are not there", () => {
  const support = {
    id: "support-may-refund",
    effect: "permit",
    actions: ["issue_refund"],
    reason: "support refunds",
  } as const;

  it("PH-1 does not permit on a fact the gate never supplied (permit when: isVip)", async () => {
    const desk = refundDesk({
      policy: new RulePolicyEngine([
        {
          id: "vip-may-refund",
          effect: "permit",
          actions: ["issue_refund"],
          when: ({ context }) => context.isVip as boolean,
          reason: "VIPs are refunded",
        },
      ]),
    });
    const outcome = await refund(desk, LAMP, 20);
    expect(desk.ledger.refunds).toHaveLength(0);
    const [policy] = policyRecords(outcome.threadId);
    expect(policy).toMatchObject({ outcome: "deny", tool: "issue_refund" });
    expect(policy?.data.reasons).toEqual([
      "no policy permits issue_refund",
      'permit "vip-may-refund" could not be evaluated: its condition returned undefined, not a boolean (a missing fact?)',
    ]);
    expect(executions(runtime, outcome.threadId)).toEqual([]);
  });

  it("PH-2 denies when a forbid cannot read its fact, and refunds once the fact says no", async () => {
    const frozen = {
      id: "no-refund-while-frozen",
      effect: "forbid",
      actions: ["issue_refund"],
      when: ({ context }: PolicyRequest) => context.frozen as boolean,
      reason: "no refunds while the account is frozen",
    } as const;
    const unknown = refundDesk({ policy: new RulePolicyEngine([support, frozen]) });
    const denied = await refund(unknown, LAMP, 20);
    expect(unknown.ledger.refunds).toHaveLength(0);
    expect(policyRecords(denied.threadId)[0]?.data.policyIds).toEqual(["no-refund-while-frozen"]);
    expect(String(policyRecords(denied.threadId)[0]?.data.reasons)).toMatch(
      /forbid rule "no-refund-while-frozen" could not be evaluated \(its condition returned undefined, not a boolean\): denied, since it might apply/,
    );

    // The same forbid reading a fact that is there and false lets the refund run, exactly once.
    const known = refundDesk({
      policy: new RulePolicyEngine([
        support,
        { ...frozen, when: ({ context }) => context.accountFlagged === true },
      ]),
    });
    await refund(known, LAMP, 20);
    expect(known.ledger.refunds).toHaveLength(1);
  });
});

describe("Cedar's schema check on a warm engine", () => {
  const support = agentPrincipal("support", ["refunds:write"], ["support-agent"]);
  const valid: PolicyRequest = {
    principal: support,
    action: "issue_refund",
    resource: { type: "Order", id: "A-1001" },
    args: { orderId: "A-1001", amount: 20, reason: "broken" },
    context: { accountFlagged: false },
  };

  it.each<[string, Partial<PolicyRequest>]>([
    ["an unknown resource type", { resource: { type: "Invoice", id: "A-1001" } }],
    ["the default Tool resource", { resource: undefined }],
    ["a fact of another type", { context: { accountFlagged: "false" } }],
    ["a fact the schema does not declare", { context: { accountFlagged: false, vip: true } }],
    [
      "a fact of another type nested in a number's place",
      { context: { accountFlagged: false, orderTotal: "lots" } },
    ],
    [
      "a record posing as a Cedar decimal",
      { context: { accountFlagged: false, orderTotal: { __extn: { fn: "decimal", arg: "1.0" } } } },
    ],
  ])("PH-3 denies %s after a valid request warmed it, as a fresh engine does", (_, change) => {
    const request = { ...valid, ...change };
    const fresh = new CedarPolicyEngine(refundSources()).decide(request);
    expect(fresh.effect).toBe("deny");
    const warm = new CedarPolicyEngine(refundSources());
    expect(warm.decide(valid).effect).toBe("allow");
    expect(warm.decide(valid).effect).toBe("allow");
    expect(warm.decide(request)).toEqual(fresh);
  });
});

describe("money with cents through the refund sample", () => {
  it("PH-4 refunds $12.50 on its own, exactly once, and sends $1,200.50 to a supervisor", async () => {
    const desk = refundDesk();
    const small = await refund(desk, LAMP, 12.5);
    expect(small.status).toBe("completed");
    expect(desk.ledger.refunds.map((entry) => entry.amount)).toEqual([12.5]);
    expect(policyRecords(small.threadId).map((record) => record.outcome)).toEqual(["allow"]);

    const large = await refund(desk, LAPTOP, 1200.5);
    expect(large.status).toBe("waiting");
    expect(desk.ledger.refunds).toHaveLength(1);
    expect(policyRecords(large.threadId)[0]?.data.policyIds).toEqual(["refund-over-limit-needs-approval"]);
  });

  it("PH-5 refuses an amount no Cedar decimal holds exactly, naming the argument, and refunds nothing", async () => {
    const desk = refundDesk();
    const outcome = await refund(desk, LAMP, 12.34567);
    expect(desk.ledger.refunds).toHaveLength(0);
    const [policy] = policyRecords(outcome.threadId);
    expect(policy?.outcome).toBe("deny");
    expect(policy?.data.reasons).toEqual([
      "context.args.amount is 12.34567: a Cedar decimal has at most 4 decimal places, and rounding would let a policy decide on another amount",
    ]);
    expect(toolReplies(outcome.state).at(-1)).toContain("Refused by policy");
  });
});

/** A supplier-payment desk whose tool pays a list of payments: each payment is a real effect. */
function payoutDesk() {
  const paid: { to: string; amount: number }[] = [];
  const payBatch = defineTool({
    name: "pay_batch",
    description: "Pay a batch of supplier invoices",
    input: z
      .object({
        payments: z.array(z.object({ to: z.string(), amount: z.number().positive() }).strict()).min(1),
      })
      .strict(),
    scopes: ["payments:write"],
    risk: "write",
    handler: ({ payments }) => {
      paid.push(...payments);
      return { paid: payments.length };
    },
  });
  const policy = new CedarPolicyEngine({
    schema: {
      name: "payout.cedarschema",
      text: `namespace Governor {
  entity Agent = { scopes: Set<String> };
  entity Tool;
  action pay_batch appliesTo {
    principal: Agent, resource: Tool,
    context: { args: { payments: Set<{ to: String, amount: decimal }> } },
  };
}`,
    },
    policies: [
      {
        name: "payout.cedar",
        text: `@id("payables-may-pay")
permit (principal, action == Governor::Action::"pay_batch", resource)
when { principal.scopes.contains("payments:write") };`,
      },
    ],
  });
  const pay = guardedCall<{ request: string; status?: string }>({
    id: "pay",
    tool: "pay_batch",
    onResult: () => ({ status: "paid" }),
    next: "done",
  });
  const workflow: Workflow = defineWorkflow({
    name: "payout-desk",
    state: z.object({ request: z.string(), status: z.string().optional() }),
    agent: { id: "payables", scopes: ["payments:write"] },
    tools: [payBatch],
    approvers: defineIdentity({
      roles: { lead: ["approvals:payments"], clerk: ["payments:write"] },
      agents: { payables: { roles: ["clerk"] } },
      approvers: { "finance:lee": { roles: ["lead"] } },
    }),
    policy,
    nodes: {
      propose: { kind: "model", instructions: "You pay suppliers", tools: ["pay_batch"] },
      route: {
        kind: "route",
        branches: ["pay", "answer"],
        decide: (_state, proposal) => (proposal ? "pay" : "answer"),
      },
      ...pay.nodes,
      done: { kind: "task", run: () => ({}) },
    },
    edges: [
      [START, "propose"],
      ["propose", "route"],
      ["route", "pay_check", "pay"],
      ["route", "done", "answer"],
      ...pay.edges,
      ["done", END],
    ],
  });
  return { workflow, paid };
}

describe("lists a Cedar set would shrink", () => {
  const payingTwice = (payments: { to: string; amount: number }[]) =>
    proposing("batch", /You pay suppliers/, [{ name: "pay_batch", args: { payments } }]);

  it("PH-6 refuses two identical payments rather than letting the policy see one, and pays nothing", async () => {
    const desk = payoutDesk();
    const twin = { to: "ACME", amount: 12.5 };
    const outcome = await runtime.start(
      desk.workflow,
      { request: "pay ACME twice" },
      {
        model: payingTwice([twin, { ...twin }]).model,
      },
    );
    expect(desk.paid).toEqual([]);
    const [policy] = policyRecords(outcome.threadId);
    expect(policy?.outcome).toBe("deny");
    expect(String(policy?.data.reasons)).toMatch(
      /^context\.args\.payments\[1\] equals context\.args\.payments\[0\]: Cedar would pass this list as a set/,
    );
    expect(executions(runtime, outcome.threadId)).toEqual([]);
  });

  it("PH-6b pays a list whose items differ, every one of them", async () => {
    const desk = payoutDesk();
    await runtime.start(
      desk.workflow,
      { request: "pay ACME and Globex" },
      {
        model: payingTwice([
          { to: "ACME", amount: 12.5 },
          { to: "ACME", amount: 12.51 },
        ]).model,
      },
    );
    expect(desk.paid).toHaveLength(2);
  });
});

describe("a policy schema that drifted from its tool's contract", () => {
  it("PH-7 is refused before the run, naming the argument, and nothing is refunded", async () => {
    const sources = refundSources();
    const drifted = new CedarPolicyEngine({
      schema: { ...sources.schema, text: sources.schema.text.replace("amount: decimal", "amount: Long") },
      policies: [
        {
          ...sources.policies[0],
          name: "refund.cedar",
          text: String(sources.policies[0]?.text).replace(
            'context.args.amount.greaterThan(decimal("500.0"))',
            "context.args.amount > 500",
          ),
        },
      ],
    });
    const desk = refundDesk({ policy: drifted });
    expect(findWorkflowIssues(desk.workflow)).toEqual([
      expect.objectContaining({
        code: "POLICY_CONTRACT_MISMATCH",
        path: "policy.actions.issue_refund.context.args.amount",
      }),
    ]);
    const refused = await rejection(refund(desk, LAMP, 20));
    expect(refused.code).toBe("POLICY_CONTRACT_MISMATCH");
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it("PH-7b finds no drift in any sample", () => {
    for (const sample of [refundSample, claimsSample, mailboxSample])
      expect(findWorkflowIssues(sample.workflow), sample.name).toEqual([]);
  });
});

describe("why nothing permitted the call", () => {
  it("PH-8 names the permit considered and the condition that was false, in the audit record", async () => {
    const sources = refundSources();
    const senior = new CedarPolicyEngine({
      ...sources,
      policies: sources.policies.map((file) => ({
        ...file,
        text: file.text.replace('"support-agent"', '"senior-agent"'),
      })),
    });
    const desk = refundDesk({ policy: senior });
    const outcome = await refund(desk, LAMP, 20);
    expect(desk.ledger.refunds).toHaveLength(0);
    expect(policyRecords(outcome.threadId)[0]?.data.reasons).toEqual([
      "no policy permits issue_refund",
      'permit "support-may-refund" did not apply: condition `when { principal.roles.contains("senior-agent") }` is false',
    ]);
  });

  it("PH-9 explains a decision as a dry run: the same decision, every policy's part, no effect", async () => {
    const desk = refundDesk();
    const request: PolicyRequest = {
      principal: agentPrincipal("support", ["refunds:write"], ["support-agent"]),
      action: "issue_refund",
      resource: { type: "Order", id: "A-1002" },
      args: { orderId: "A-1002", amount: 1200.5, reason: "never arrived" },
      context: { accountFlagged: false, orderTotal: 1499 },
    };
    const { decision, policies } = await explain(desk.workflow.policy, request);
    expect(decision).toEqual(await desk.workflow.policy.decide(request));
    expect(decision.effect).toBe("require-approval");
    expect(policies.map((policy) => [policy.id, policy.outcome])).toEqual([
      ["support-may-refund", "satisfied"],
      ["refund-over-limit-needs-approval", "satisfied"],
      ["no-refund-to-flagged-account", "not-satisfied"],
    ]);
    expect(desk.ledger.refunds).toHaveLength(0);
    expect(runtime.store.audit.list().length).toBe(0);
  });
});
