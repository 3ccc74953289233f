import { type GovernorRuntime, pass } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  agentDesk,
  credit,
  creditCheck,
  deskModel,
  deskPolicy,
  read,
  signFor,
  type ToolGovernance,
} from "./support/agent-desk.js";
import { auditOf, executions, type Harness, harness, toolReplies } from "./support/harness.js";

/**
 * Fail closed inside an agent loop: whatever cannot give a clear yes (no approver who could
 * answer, a check that throws or mumbles, facts that cannot be read, a policy engine that
 * breaks) refuses the one call it concerns, with an audit record and a reply the model sees,
 * while the other calls of the turn go on. Effects are counted in the desk's ledger.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const request = { request: "credit my accounts" };
const credited = (effects: { credits: { account: string; amount: number }[] }) =>
  effects.credits.map((entry) => `${entry.account}:${entry.amount}`);

describe("agent loop: fail closed", () => {
  it("FC-1 policy asks a human but the workflow names no approvers: refused at the gate, no interrupt, no effect", async () => {
    const desk = agentDesk({ noApprovers: true });
    const model = deskModel([{ toolCalls: [credit("A-1", 50), credit("A-2", 300)] }]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(outcome.status).toBe("completed");
    expect(outcome.approvals).toBeUndefined();
    expect(credited(desk.effects)).toEqual(["A-1:50"]);
    const rejected = auditOf(runtime, outcome.threadId, "approval", "rejected");
    expect(rejected).toHaveLength(1);
    expect(String(rejected[0]?.data.reason)).toContain("names no approvers");
    expect(toolReplies(outcome.state).some((reply) => reply.includes("names no approvers"))).toBe(true);
    expect(executions(runtime, outcome.threadId)).toEqual(["post_credit:executed"]);
  });

  it("FC-2 a check that throws, rejects, or answers anything but a verdict refuses its call; the sibling that passes runs", async () => {
    const verdicts: Record<string, () => unknown> = {
      THROWS: () => {
        throw new Error("ledger offline");
      },
      REJECTS: () => Promise.reject(new Error("timeout")),
      UNDEFINED: () => undefined,
      NULL: () => null,
      STRING: () => "ok",
      TRUTHY: () => ({ ok: "yes" }),
      ONE: () => ({ ok: 1 }),
    };
    const check: ToolGovernance["check"] = ({ call }) => {
      const verdict = verdicts[String(call.args.account)];
      return (verdict ? verdict() : pass()) as ReturnType<NonNullable<ToolGovernance["check"]>>;
    };
    const desk = agentDesk({ maxCallsPerTurn: 10, govern: { post_credit: { check } } });
    const accounts = [...Object.keys(verdicts), "GOOD"];
    const model = deskModel([{ toolCalls: accounts.map((account) => credit(account, 20)) }]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(credited(desk.effects)).toEqual(["GOOD:20"]);
    const failed = auditOf(runtime, outcome.threadId, "precondition", "fail");
    expect(failed).toHaveLength(Object.keys(verdicts).length);
    expect(
      toolReplies(outcome.state).filter((reply) => reply.startsWith("Precondition failed")),
    ).toHaveLength(Object.keys(verdicts).length);
    expect(auditOf(runtime, outcome.threadId, "policy").map((record) => record.data.callId)).toHaveLength(1);
    expect(outcome.status).toBe("completed");
  });

  it("FC-3 facts that throw, reject, or are not plain data deny their call; the sibling with good facts runs", async () => {
    const facts: ToolGovernance["facts"] = (_state, call) => {
      switch (call.args.account) {
        case "THROWS":
          throw new Error("CRM down");
        case "REJECTS":
          return Promise.reject(new Error("CRM timeout"));
        case "NULL":
          return null as never;
        case "CONTEXT-STRING":
          return { context: "frozen=false" as never };
        default:
          return { context: { frozen: false }, resource: { type: "account", id: String(call.args.account) } };
      }
    };
    const desk = agentDesk({ govern: { post_credit: { check: creditCheck, facts } } });
    const model = deskModel([
      {
        toolCalls: ["THROWS", "REJECTS", "NULL", "CONTEXT-STRING", "GOOD"].map((account) =>
          credit(account, 20),
        ),
      },
    ]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(credited(desk.effects)).toEqual(["GOOD:20"]);
    const denied = auditOf(runtime, outcome.threadId)
      .filter((record) => record.node === "desk.gate" && record.outcome === "deny")
      .map((record) => (record.data.args as { account: string }).account);
    expect(denied.sort()).toEqual(["CONTEXT-STRING", "NULL", "REJECTS", "THROWS"]);
    expect(outcome.status).toBe("completed");
  });

  /** The desk's policy, except for the accounts named here, where the engine breaks. */
  const breaking = (broken: Record<string, () => unknown>): PolicyEngine => {
    const inner = deskPolicy();
    return {
      version: `${inner.version}+broken`,
      decide(request) {
        const breaks = broken[String(request.args.account)];
        return (breaks ? breaks() : inner.decide(request)) as ReturnType<PolicyEngine["decide"]>;
      },
    };
  };

  it("FC-4 a policy engine that throws: nothing runs, not even the sibling, and the run ends failed with an error", async () => {
    const policy = breaking({
      THROWS: () => {
        throw new Error("engine crashed");
      },
    });
    const desk = agentDesk({ policy });
    const model = deskModel([{ toolCalls: [credit("THROWS", 20), credit("GOOD", 20)] }]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(credited(desk.effects)).toEqual([]);
    expect(executions(runtime, outcome.threadId)).toEqual([]);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.message).toContain("engine crashed");
  });

  // HOLE (reported to the lead): the gateway takes the engine's decision as it comes, and the
  // agent gate refuses only effect "deny". An engine answering { effect: "yes please" } gets a
  // policy record with outcome "yes please", and the call is neither refused nor answered in
  // its turn (the model hears "Not executed" a turn later); an engine answering nothing fails
  // the whole run (TOOL_FAILED: "NOT NULL constraint failed: audit_records.outcome"), the
  // sibling the policy allows never runs. No unauthorized effect either way, but no denial on
  // record. Expected (once fixed): anything but allow / require-approval / deny is a deny,
  // audited, the model told in the same turn, and the allowed sibling runs.
  it("FC-4b a policy answering an effect it does not define denies that call, audited, the model told", async () => {
    const desk = agentDesk({
      policy: breaking({ GARBAGE: () => ({ effect: "yes please" }), EMPTY: () => undefined }),
    });
    const model = deskModel([
      { toolCalls: ["GARBAGE", "EMPTY", "GOOD"].map((account) => credit(account, 20)) },
    ]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(credited(desk.effects)).toEqual(["GOOD:20"]);
    const denied = auditOf(runtime, outcome.threadId)
      .filter((record) => record.node === "desk.gate" && record.outcome === "deny")
      .map((record) => (record.data.args as { account: string }).account);
    expect(denied.sort()).toEqual(["EMPTY", "GARBAGE"]);
    expect(toolReplies(outcome.state).filter((reply) => reply.startsWith("Refused by policy"))).toHaveLength(
      2,
    );
  });

  it("FC-5 facts that change while a credit waits make its approval lapse: the signed approval does not run it", async () => {
    let frozen = false;
    const policy = deskPolicy();
    const frozenForbids: PolicyEngine = {
      version: `${policy.version}+frozen`,
      async decide(request) {
        if (request.action === "post_credit" && request.context.frozen === true) {
          return {
            effect: "deny",
            reasons: ["the account is frozen"],
            policyIds: ["frozen"],
            policyVersion: this.version,
          } as never;
        }
        return policy.decide(request);
      },
    };
    const desk = agentDesk({
      policy: frozenForbids,
      govern: { post_credit: { check: creditCheck, context: () => ({ frozen }) } },
    });
    const model = deskModel([{ toolCalls: [read("A-2"), credit("A-2", 300)] }]);
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [asked] = waiting.approvals ?? [];
    if (!asked) throw new Error("the credit should wait for a supervisor");

    frozen = true;
    const outcome = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signFor(runtime.store.tokenKeys, asked) },
      { model: model.model },
    );

    expect(desk.effects.credits).toEqual([]);
    expect(desk.effects.reads).toEqual(["A-2"]);
    const rejected = auditOf(runtime, waiting.threadId, "approval", "rejected");
    expect(String(rejected[0]?.data.reason)).toContain("the policy now denies this call");
    expect(outcome.status).toBe("completed");
  });
});
