import {
  defineTool,
  defineWorkflow,
  END,
  type GateNode,
  type GovernorRuntime,
  pass,
  START,
  type Workflow,
  type WorkflowNode,
} from "@governor/core";
import { defineIdentity, signApprovalDecision } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { attacker, proposing } from "./support/attacker.js";
import { auditOf, executions, type Harness, harness } from "./support/harness.js";

/**
 * A gate's facts come from the system of record, so they are awaited; whatever cannot be
 * read, or is not plain data after awaiting, denies the call (audited) and never reaches the
 * policy as an empty record, where `forbid when context.flown` would silently not fire.
 * Every test counts the refunds the ledger really made.
 */

const MARKER = "You work the airline refund desk";
const state = z.object({ request: z.string(), reply: z.string().optional() });
type State = z.output<typeof state>;
type Gate = Partial<Omit<GateNode<State>, "kind" | "guards">>;

const policy = new RulePolicyEngine([
  { id: "may-refund", effect: "permit", actions: ["refund_ticket"], reason: "the desk refunds tickets" },
  {
    id: "no-refund-after-flight",
    effect: "forbid",
    actions: ["refund_ticket"],
    when: ({ context }) => context.flown === true,
    reason: "a flown ticket is not refunded",
  },
  {
    id: "no-refund-for-blocked-booking",
    effect: "forbid",
    actions: ["refund_ticket"],
    when: ({ resource }) => resource?.id === "BLOCKED",
    reason: "this booking is blocked",
  },
  {
    id: "large-needs-supervisor",
    effect: "require-approval",
    actions: ["refund_ticket"],
    when: ({ args }) => Number(args.amount) > 500,
    reason: "refunds above $500 need a supervisor",
  },
]);

interface Desk {
  readonly workflow: Workflow;
  readonly refunds: { booking: string; amount: number }[];
}

/** A one-call refund desk whose gate reads its facts as `gate` says; `precondition: false` drops the check node. */
function desk(gate: Gate, options: { precondition?: boolean; version?: string } = {}): Desk {
  const refunds: Desk["refunds"] = [];
  const refund = defineTool({
    name: "refund_ticket",
    description: "Refund a ticket",
    input: z.object({ booking: z.string(), amount: z.number().int().positive() }).strict(),
    scopes: ["refunds:write"],
    risk: "write",
    handler: (args) => {
      refunds.push(args);
      return { refunded: true };
    },
  });
  const withCheck = options.precondition !== false;
  const nodes: Record<string, WorkflowNode<State>> = {
    propose: { kind: "model", instructions: MARKER, input: (s) => s.request, tools: ["refund_ticket"] },
    route: {
      kind: "route",
      branches: ["call", "answer"],
      decide: (_s, proposal) => (proposal ? "call" : "answer"),
    },
    gate: { kind: "gate", guards: "refund", ...gate },
    approval: { kind: "approval", guards: "refund", requiredScope: "approvals:refunds" },
    refund: { kind: "action", tool: "refund_ticket" },
    respond: { kind: "model", instructions: "Write the reply", onReply: (_s, text) => ({ reply: text }) },
    ...(withCheck ? { check: { kind: "precondition" as const, guards: "refund", check: () => pass() } } : {}),
  };
  const workflow = defineWorkflow({
    name: "airline-refunds",
    version: options.version,
    state,
    agent: { id: "desk", scopes: ["refunds:write"] },
    approvers: defineIdentity({
      roles: { agent: ["refunds:write"], supervisor: ["approvals:refunds"] },
      agents: { desk: { roles: ["agent"] } },
      approvers: { "supervisor:sam": { roles: ["supervisor"] } },
    }),
    tools: [refund],
    policy,
    nodes,
    edges: [
      [START, "propose"],
      ["propose", "route"],
      ["route", withCheck ? "check" : "gate", "call"],
      ["route", "respond", "answer"],
      ...(withCheck
        ? ([
            ["check", "gate", "pass"],
            ["check", "respond", "fail"],
          ] as const)
        : []),
      ["gate", "refund", "allow"],
      ["gate", "approval", "approval"],
      ["gate", "respond", "deny"],
      ["approval", "refund", "approved"],
      ["approval", "respond", "rejected"],
      ["refund", "respond"],
      ["respond", END],
    ],
  });
  return { workflow, refunds };
}

const model = (amount = 120) =>
  proposing("facts", new RegExp(MARKER), [{ name: "refund_ticket", args: { booking: "BK-1", amount } }])
    .model;

let h: Harness;
let runtime: GovernorRuntime;
beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

/** The gate's audited policy decision for the run: its outcome and reasons. */
function gateDecision(threadId: string): { outcome: string; reasons: string[]; code?: unknown } {
  const record = auditOf(runtime, threadId, "policy")[0];
  return {
    outcome: String(record?.outcome),
    reasons: (record?.data.reasons ?? []) as string[],
    code: record?.data.code,
  };
}

async function run(d: Desk, amount?: number) {
  const outcome = await runtime.start(d.workflow, { request: "Refund my ticket." }, { model: model(amount) });
  return outcome;
}

describe("gate facts", () => {
  it("GF-1 awaits an async context: a flown ticket read from the database is denied, an unflown one refunded", async () => {
    const flights = { flown: true };
    const d = desk({ context: async () => ({ flown: await Promise.resolve(flights.flown) }) });

    const flown = await run(d);
    expect(flown.status).toBe("completed");
    expect(d.refunds).toEqual([]);
    expect(gateDecision(flown.threadId)).toMatchObject({
      outcome: "deny",
      reasons: ["a flown ticket is not refunded"],
    });

    flights.flown = false;
    const unflown = await run(d);
    expect(unflown.status).toBe("completed");
    expect(d.refunds).toEqual([{ booking: "BK-1", amount: 120 }]);
  });

  const notPlain: [string, () => unknown, RegExp][] = [
    [
      "a fact inside that was not awaited",
      () => ({ flown: Promise.resolve(true) }),
      /context\.flown .*a Promise/,
    ],
    ["a Map", () => new Map([["flown", true]]), /an instance of Map/],
    ["an array", () => [{ flown: true }], /got an array/],
    ["a Date", () => new Date(), /an instance of Date/],
    [
      "a class instance",
      () =>
        new (class Booking {
          flown = true;
        })(),
      /an instance of Booking/,
    ],
    ["null", () => null, /got null/],
    ["a string", () => "flown", /got a string/],
    ["a function inside", () => ({ flown: () => true }), /context\.flown is a function/],
  ];
  for (const [what, value, message] of notPlain) {
    it(`GF-2 denies a context that is ${what} after awaiting, audited with the gate's name; nothing is refunded`, async () => {
      const d = desk({ context: async () => value() as Record<string, unknown> });

      const outcome = await run(d);

      expect(outcome.status).toBe("completed");
      expect(d.refunds).toEqual([]);
      expect(executions(runtime, outcome.threadId)).toEqual([]);
      const decided = gateDecision(outcome.threadId);
      expect(decided.outcome).toBe("deny");
      expect(decided.reasons[0]).toMatch(/^Gate gate cannot decide refund_ticket: /);
      expect(decided.reasons[0]).toMatch(message);
    });
  }

  it("GF-3 a fact read that throws denies (fail closed), audited, and the run does not crash", async () => {
    const d = desk({
      context: async () => {
        throw new Error("CRM timed out");
      },
    });

    const outcome = await run(d);

    expect(outcome.status).toBe("completed");
    expect(d.refunds).toEqual([]);
    expect(gateDecision(outcome.threadId)).toMatchObject({
      outcome: "deny",
      code: "POLICY_DENIED",
      reasons: [expect.stringContaining("reading its facts failed (context: CRM timed out)")],
    });
  });

  it("GF-4 facts() gives context and resource from one read of the system of record", async () => {
    let reads = 0;
    const bookings: Record<string, { flown: boolean; id: string }> = {
      "BK-1": { flown: false, id: "BLOCKED" },
    };
    const d = desk({
      facts: async (_state, call) => {
        reads++;
        const booking = bookings[String(call.args.booking)];
        return {
          context: { flown: booking?.flown === true },
          resource: { type: "Booking", id: String(booking?.id) },
        };
      },
    });

    const blocked = await run(d);
    expect(reads).toBe(1);
    expect(d.refunds).toEqual([]);
    expect(gateDecision(blocked.threadId)).toMatchObject({
      outcome: "deny",
      reasons: ["this booking is blocked"],
    });

    bookings["BK-1"] = { flown: false, id: "BK-1" };
    await run(d);
    expect(reads).toBe(2);
    expect(d.refunds).toEqual([{ booking: "BK-1", amount: 120 }]);
  });

  it("GF-5 denies a resource that is not { type, id } and a facts() result that is not a record", async () => {
    for (const gate of [
      { resource: async () => ({ type: "Booking" }) as never },
      { facts: async () => new Map() as never },
    ] satisfies Gate[]) {
      const d = desk(gate);
      const outcome = await run(d);
      expect(d.refunds).toEqual([]);
      expect(gateDecision(outcome.threadId).outcome).toBe("deny");
    }
  });

  it("GF-6 a fact read that fails when an approved call is re-checked rejects the approval: no refund", async () => {
    let reads = 0;
    const d = desk({
      context: async () => {
        reads++;
        if (reads > 1) throw new Error("CRM down during re-check");
        return { flown: false };
      },
    });
    const waiting = await run(d, 1200);
    expect(waiting.status).toBe("waiting");
    if (!waiting.approval) throw new Error("expected an approval request");
    const token = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "supervisor:sam",
      decision: "approve",
      request: waiting.approval,
    });

    const outcome = await runtime.resume(
      d.workflow,
      waiting.threadId,
      { token },
      { model: attacker("r", []).model },
    );

    expect(outcome.status).toBe("completed");
    expect(d.refunds).toEqual([]);
    const rejected = auditOf(runtime, waiting.threadId, "approval", "rejected")[0];
    expect(String(rejected?.data.reason)).toContain("CRM down during re-check");
  });

  it("GF-7 a changed fact computation lapses a pending approval; the same code keeps it", async () => {
    const v1 = desk({ context: async () => ({ flown: false }) });
    // The same decision computed another way (the flight status now comes from a second field).
    const v2 = desk({ context: async () => ({ flown: false, source: "ops-feed" }) });
    const token = async (request: NonNullable<Awaited<ReturnType<typeof run>>["approval"]>) => ({
      token: await signApprovalDecision(runtime.store.tokenKeys, {
        approver: "supervisor:sam",
        decision: "approve",
        request,
      }),
    });

    const lapsing = await run(v1, 1200);
    if (!lapsing.approval) throw new Error("expected an approval request");
    const outcome = await runtime.resume(v2.workflow, lapsing.threadId, await token(lapsing.approval), {
      model: attacker("r", []).model,
    });
    expect(v1.refunds).toEqual([]);
    expect(v2.refunds).toEqual([]);
    expect(outcome.status).toBe("completed");
    const rejected = auditOf(runtime, lapsing.threadId, "approval", "rejected")[0];
    expect(String(rejected?.data.reason)).toContain("the policy changed since approval was requested");

    const same = desk({ context: async () => ({ flown: false }) });
    const kept = await run(v1, 1200);
    if (!kept.approval) throw new Error("expected an approval request");
    await runtime.resume(same.workflow, kept.threadId, await token(kept.approval), {
      model: attacker("r", []).model,
    });
    expect(same.refunds).toEqual([{ booking: "BK-1", amount: 1200 }]);
  });

  it("GF-8 a declared workflow version lapses pending approvals when it changes", async () => {
    const gate = { context: async () => ({ flown: false }) };
    const release1 = desk(gate, { version: "release-1" });
    const release2 = desk(gate, { version: "release-2" });
    const waiting = await run(release1, 1200);
    if (!waiting.approval) throw new Error("expected an approval request");
    const token = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "supervisor:sam",
      decision: "approve",
      request: waiting.approval,
    });

    await runtime.resume(release2.workflow, waiting.threadId, { token }, { model: attacker("r", []).model });

    expect([...release1.refunds, ...release2.refunds]).toEqual([]);
    expect(auditOf(runtime, waiting.threadId, "approval", "rejected")).toHaveLength(1);
  });

  it("GF-9 an action whose gate is declared sufficient runs without a precondition node, still behind its gate", async () => {
    const flights = { flown: false };
    const d = desk(
      {
        context: async () => ({ flown: flights.flown }),
        sufficient: { reason: "the policy checks flown and blocked" },
      },
      { precondition: false },
    );

    await run(d);
    expect(d.refunds).toEqual([{ booking: "BK-1", amount: 120 }]);

    flights.flown = true;
    const denied = await run(d);
    expect(d.refunds).toHaveLength(1);
    expect(gateDecision(denied.threadId).outcome).toBe("deny");
  });

  it("GF-10 the system of record is not queried for a call the contract refuses, and is queried with parsed arguments", async () => {
    const seen: unknown[] = [];
    const d = desk({
      context: async (_state, call) => {
        seen.push(call.args);
        return { flown: false };
      },
    });
    const injected = proposing("inject", new RegExp(MARKER), [
      { name: "refund_ticket", args: { booking: "BK-1' OR 1=1 --", amount: -5 } },
    ]).model;

    const outcome = await runtime.start(d.workflow, { request: "Refund." }, { model: injected });

    expect(seen).toEqual([]);
    expect(d.refunds).toEqual([]);
    expect(executions(runtime, outcome.threadId)).toEqual([]);
    await run(d);
    expect(seen).toEqual([{ booking: "BK-1", amount: 120 }]);
  });
});
