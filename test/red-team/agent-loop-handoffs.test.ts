import { GovernorError, type GovernorRuntime } from "@governor/core";
import { issueDelegationToken } from "@governor/identity";
import type { PolicyEngine } from "@governor/policy";
import { Command } from "@langchain/langgraph";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentDesk, credit, DESK_AGENT, deskModel, deskPolicy, read, signFor } from "./support/agent-desk.js";
import { auditOf, executions, governorOf, type Harness, harness, toolReplies } from "./support/harness.js";
import { forkAs, studioGraph } from "./support/studio-graph.js";

/**
 * Handoffs and identities (issue 7, item 6): a supervisor desk that may hand work to a letters
 * specialist, which acts as its own agent (letters:write, accounts:read) though it is offered
 * post_credit too. A handoff is a governed call; the specialist never exceeds its own scopes
 * nor, in a delegated run, the user's; its own kill switch stops it; the audit names who
 * acted. Effects are counted in the desk's ledger.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const request = { request: "write to the holder of A-1 about their credit" };
const handoff = (task: string) => ({ name: "handoff_to_specialist", args: { task } });
const letter = (account: string) => ({ name: "draft_letter", args: { account, text: "Dear holder" } });

const specialistCalls = (calls: string[]) => calls.filter((call) => call.startsWith("specialist:"));

describe("agent loop: handoffs and identities", () => {
  it("HO-1 the specialist's call outside its scopes is refused (IDENTITY_SCOPE), its own call runs, and the audit names each agent", async () => {
    const desk = agentDesk({ team: true });
    const model = deskModel(
      [{ toolCalls: [handoff("write to A-1")] }],
      [{ toolCalls: [credit("A-1", 50), letter("A-1")] }],
    );

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(desk.effects.credits).toEqual([]);
    expect(desk.effects.letters).toEqual(["A-1"]);
    const denied = auditOf(runtime, outcome.threadId, "identity", "deny");
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      node: "specialist.gate",
      tool: "post_credit",
      principal: "agent:specialist",
    });
    expect(JSON.stringify(denied[0]?.data)).toContain("credits:write");
    expect(toolReplies(outcome.state).some((reply) => reply.startsWith("Refused by identity"))).toBe(true);
    // One audit chain for the run, each record under the agent that acted.
    const principals = new Map<string, Set<string>>();
    for (const record of auditOf(runtime, outcome.threadId)) {
      if (!record.node) continue;
      const agent = record.node.split(".")[0] as string;
      principals.set(agent, (principals.get(agent) ?? new Set()).add(String(record.principal)));
    }
    expect([...(principals.get("specialist") ?? [])]).toEqual(["agent:specialist"]);
    expect([...(principals.get("desk") ?? [])]).toEqual([`agent:${DESK_AGENT}`]);
    expect(executions(runtime, outcome.threadId)).toEqual([
      "handoff_to_specialist:executed",
      "draft_letter:executed",
    ]);
    expect(outcome.status).toBe("completed");
  });

  it("HO-2 a handoff the policy forbids keeps the run with the supervisor; the specialist is never asked", async () => {
    const desk = agentDesk({ team: true, policy: deskPolicy("forbid") });
    const model = deskModel([{ toolCalls: [handoff("take over")] }], [{ toolCalls: [letter("A-1")] }]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(specialistCalls(model.calls)).toEqual([]);
    expect(desk.effects.letters).toEqual([]);
    expect(auditOf(runtime, outcome.threadId, "policy", "deny")[0]).toMatchObject({
      node: "desk.gate",
      tool: "handoff_to_specialist",
    });
    expect(executions(runtime, outcome.threadId)).toEqual([]);
    expect(model.calls).toEqual(["desk:0", "desk:1"]);
    expect(outcome.status).toBe("completed");
  });

  it("HO-3 a handoff that needs a human waits; rejected, the run stays with the supervisor", async () => {
    const desk = agentDesk({ team: true, policy: deskPolicy("approval") });
    const model = deskModel([{ toolCalls: [handoff("take over")] }], [{ toolCalls: [letter("A-1")] }]);
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [asked] = waiting.approvals ?? [];
    expect(asked?.tool).toBe("handoff_to_specialist");
    if (!asked) throw new Error("the handoff should wait for a human");

    const outcome = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signFor(runtime.store.tokenKeys, asked, "reject") },
      { model: model.model },
    );

    expect(specialistCalls(model.calls)).toEqual([]);
    expect(desk.effects.letters).toEqual([]);
    expect(executions(runtime, waiting.threadId)).toEqual([]);
    expect(outcome.status).toBe("completed");
  });

  it("HO-3b approved, the handoff runs once and the specialist takes over", async () => {
    const desk = agentDesk({ team: true, policy: deskPolicy("approval") });
    const model = deskModel([{ toolCalls: [handoff("take over")] }], [{ toolCalls: [letter("A-1")] }]);
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [asked] = waiting.approvals ?? [];
    if (!asked) throw new Error("the handoff should wait for a human");

    const outcome = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signFor(runtime.store.tokenKeys, asked) },
      { model: model.model },
    );

    expect(desk.effects.letters).toEqual(["A-1"]);
    expect(model.calls).toEqual(["desk:0", "specialist:0", "specialist:1"]);
    expect(executions(runtime, waiting.threadId)).toEqual([
      "handoff_to_specialist:executed",
      "draft_letter:executed",
    ]);
    expect(outcome.status).toBe("completed");
  });

  it("HO-3c a handoff beside a credit that waits for a human: nobody takes over until the credit is decided, which runs once", async () => {
    const desk = agentDesk({ team: true });
    const model = deskModel(
      [{ toolCalls: [handoff("take over"), credit("A-2", 300)] }],
      [{ toolCalls: [letter("A-2")] }],
    );
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [asked] = waiting.approvals ?? [];
    if (!asked) throw new Error("the credit should wait for a human");
    expect(specialistCalls(model.calls)).toEqual([]);
    expect(executions(runtime, waiting.threadId)).toEqual(["handoff_to_specialist:executed"]);

    const outcome = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signFor(runtime.store.tokenKeys, asked) },
      { model: model.model },
    );

    expect(desk.effects.credits).toEqual([{ account: "A-2", amount: 300 }]);
    expect(desk.effects.letters).toEqual(["A-2"]);
    expect(model.calls).toEqual(["desk:0", "specialist:0", "specialist:1"]);
    expect(outcome.status).toBe("completed");
  });

  it("HO-4 two handoffs in one turn: the second is refused, the specialist is visited once", async () => {
    const desk = agentDesk({ team: true });
    const model = deskModel(
      [{ toolCalls: [handoff("first"), handoff("second")] }],
      [{ toolCalls: [letter("A-1")] }],
    );

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(toolReplies(outcome.state)).toContain(
      "Refused: only one handoff per turn: hand the conversation to one agent",
    );
    expect(executions(runtime, outcome.threadId).filter((entry) => entry.startsWith("handoff"))).toEqual([
      "handoff_to_specialist:executed",
    ]);
    expect(specialistCalls(model.calls)).toEqual(["specialist:0", "specialist:1"]);
    expect(desk.effects.letters).toEqual(["A-1"]);
  });

  it("HO-5 a handoff to an agent that does not exist, to itself, or back from a specialist with no handoffs is not offered", async () => {
    const desk = agentDesk({ team: true });
    const model = deskModel(
      [
        {
          toolCalls: [
            { name: "handoff_to_auditor", args: { task: "audit" } },
            { name: "handoff_to_desk", args: { task: "loop" } },
          ],
        },
        { toolCalls: [handoff("letters")] },
      ],
      [{ toolCalls: [{ name: "handoff_to_desk", args: { task: "back" } }] }],
    );

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    const replies = toolReplies(outcome.state);
    for (const tool of ["handoff_to_auditor", "handoff_to_desk"]) {
      expect(replies).toContain(`Refused: no tool named ${tool} is available at this step`);
    }
    const refused = auditOf(runtime, outcome.threadId, "identity", "deny").map((record) => [
      record.node,
      record.tool,
    ]);
    expect(refused).toEqual([
      ["desk", "handoff_to_auditor"],
      ["desk", "handoff_to_desk"],
      ["specialist", "handoff_to_desk"],
    ]);
    // The desk ran no turn after the one handoff that was offered: the run ended with the specialist.
    expect(model.calls).toEqual(["desk:0", "desk:1", "specialist:0", "specialist:1"]);
    expect(outcome.status).toBe("completed");
  });

  it("HO-6 in a delegated run the specialist holds only what the user holds: a letter the user may not write is refused", async () => {
    const desk = agentDesk({ team: true });
    const model = deskModel([{ toolCalls: [handoff("write")] }], [{ toolCalls: [letter("A-1")] }]);
    // The user may read accounts and post credits, but not write letters, which the specialist may.
    const token = await issueDelegationToken(runtime.store.tokenKeys, {
      agentId: DESK_AGENT,
      userId: "U-7",
      scopes: ["accounts:read", "credits:write"],
    });

    const outcome = await runtime.start(desk.workflow, request, {
      model: model.model,
      delegation: { token },
    });

    expect(desk.effects.letters).toEqual([]);
    const denied = auditOf(runtime, outcome.threadId, "identity", "deny");
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({
      node: "specialist.gate",
      tool: "draft_letter",
      principal: "agent:specialist/user:U-7",
    });
    expect(JSON.stringify(denied[0]?.data)).toContain("letters:write");
    expect(executions(runtime, outcome.threadId)).toEqual(["handoff_to_specialist:executed"]);
  });

  it("HO-7 the specialist's own kill switch stops the run at the specialist: KILLED, no letter, its model never asked", async () => {
    const desk = agentDesk({ team: true });
    const operator = h.open();
    const model = deskModel(
      [
        () => {
          // The operator pulls the specialist's switch while the supervisor decides to hand over.
          void operator.kill({ agent: "specialist", reason: "letters incident" });
          return { toolCalls: [handoff("write")] };
        },
      ],
      [{ toolCalls: [letter("A-1")] }],
    );

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(desk.effects.letters).toEqual([]);
    expect(specialistCalls(model.calls)).toEqual([]);
    expect(executions(runtime, outcome.threadId)).toEqual(["handoff_to_specialist:executed"]);
    const kills = auditOf(runtime, outcome.threadId, "kill", "stopped");
    expect(kills).toHaveLength(1);
    expect(kills[0]).toMatchObject({
      node: "specialist",
      data: expect.objectContaining({ scope: "agent:specialist" }),
    });
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("KILLED");
    expect(governorOf(outcome.state).routes["desk.tools"]).toBe("handoff:specialist");
  });

  it("HO-8 a kill switch for the specialist does not stop the supervisor working alone", async () => {
    const desk = agentDesk({ team: true });
    await runtime.kill({ agent: "specialist", reason: "letters incident" });
    const model = deskModel([{ toolCalls: [credit("A-1", 50)] }]);

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(outcome.status).toBe("completed");
    expect(desk.effects.credits).toEqual([{ account: "A-1", amount: 50 }]);
  });

  it("HO-9 two agents handing the run back and forth are bounded by their own turns: AGENT_TURN_LIMIT, never an endless loop", async () => {
    const desk = agentDesk({ team: true, handBack: true, maxTurns: 6 });
    const model = deskModel(
      (turn) => ({ toolCalls: [handoff(`to the specialist, round ${turn}`)] }),
      (turn) => ({
        toolCalls: [{ name: "handoff_to_desk", args: { task: `back to the desk, round ${turn}` } }],
      }),
    );

    const outcome = await runtime.start(desk.workflow, request, { model: model.model });

    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("AGENT_TURN_LIMIT");
    // The specialist's four turns run out first; nobody is asked beyond its own bound.
    expect(specialistCalls(model.calls)).toHaveLength(4);
    expect(model.calls.filter((call) => call.startsWith("desk:"))).toHaveLength(5);
    expect(governorOf(outcome.state).stop).toMatchObject({ code: "AGENT_TURN_LIMIT", node: "specialist" });
    expect(auditOf(runtime, outcome.threadId, "budget", "turn-limit")).toHaveLength(1);
  });

  it("HO-10 a kill switch for the specialist pulled while its call waits for a human: the approver's resume is refused at the specialist, nothing runs", async () => {
    const policy = deskPolicy();
    const lettersNeedAHuman: PolicyEngine = {
      version: `${policy.version}+letters-approved`,
      async decide(request) {
        const decision = await policy.decide(request);
        return request.action === "draft_letter" && decision.effect === "allow"
          ? { ...decision, effect: "require-approval", reasons: ["letters need a supervisor"] }
          : decision;
      },
    };
    const desk = agentDesk({ team: true, policy: lettersNeedAHuman });
    const model = deskModel([{ toolCalls: [handoff("write")] }], [{ toolCalls: [letter("A-1")] }]);
    const waiting = await runtime.start(desk.workflow, request, { model: model.model });
    const [asked] = waiting.approvals ?? [];
    expect(asked?.node).toBe("specialist.approval");
    if (!asked) throw new Error("the letter should wait for a supervisor");

    await runtime.kill({ agent: "specialist", reason: "letters incident" });
    const outcome = await runtime.resume(
      desk.workflow,
      waiting.threadId,
      { token: await signFor(runtime.store.tokenKeys, asked) },
      { model: model.model },
    );

    expect(desk.effects.letters).toEqual([]);
    expect(outcome.status).toBe("failed");
    expect(outcome.error?.code).toBe("KILLED");
    expect(auditOf(runtime, waiting.threadId, "approval", "approved")).toEqual([]);
    expect(auditOf(runtime, waiting.threadId, "kill", "stopped")[0]?.node).toBe("specialist.approval");
  });

  // HOLE (reported to the lead): entering an agent is not cross-checked against the journal.
  // With every handoff forbidden by policy, an edit of the thread's state (Studio's "edit
  // state") that writes the desk's tools route as "handoff:specialist" sends the run to the
  // specialist, which takes turns and drafts a letter: the handoff the policy forbade happened
  // with no decision on record. (A sample's rule such as "no handoff to the executor before a
  // vendor draft" is bypassed the same way.) Expected (once fixed): an agent reached by a
  // handoff acts only when that handoff executed on record; otherwise nothing runs.
  it("HO-11 a handoff written into the state, which the policy forbids, does not bring the specialist in", async () => {
    const desk = agentDesk({ team: true, policy: deskPolicy("forbid") });
    const model = deskModel([{ toolCalls: [read("A-1")] }], [{ toolCalls: [letter("A-1")] }]);
    const graph = studioGraph(desk.workflow, runtime, model.model);
    const threadId = "forged-handoff";
    await graph.invoke(request, { configurable: { thread_id: threadId } });
    expect(model.calls).toEqual(["desk:0", "desk:1"]);

    const fork = await forkAs(graph, threadId, "desk.tools", {
      governor: { routes: { "desk.tools": "handoff:specialist", desk: "handoff" } },
    });
    await graph.invoke(null, fork).catch(() => undefined);

    expect(desk.effects.letters).toEqual([]);
    expect(specialistCalls(model.calls)).toEqual([]);
  });

  // HOLE (reported to the lead): LangGraph's API takes a Command as a run's input. A caller of
  // the served graph who starts a fresh thread with Command({ goto: "specialist" }) skips the
  // entry and the supervisor, and the specialist acts (a letter is drafted) though no handoff
  // was ever proposed or decided and the policy forbids every handoff.
  // Expected (once fixed): the run cannot begin at an agent no handoff reached.
  it("HO-12 a fresh thread started with Command({ goto: specialist }) does not let the specialist act", async () => {
    const desk = agentDesk({ team: true, policy: deskPolicy("forbid") });
    const model = deskModel([{ toolCalls: [read("A-1")] }], [{ toolCalls: [letter("A-1")] }]);
    const graph = studioGraph(desk.workflow, runtime, model.model);

    await graph
      .invoke(new Command({ goto: "specialist", update: request }) as never, {
        configurable: { thread_id: "goto" },
      })
      .catch(() => undefined);

    expect(desk.effects.letters).toEqual([]);
    expect(specialistCalls(model.calls)).toEqual([]);
  });

  // HOLE (reported to the lead): agentNodePrincipal returns the run's principal unchanged when
  // a node's agent id equals the workflow agent's, ignoring the scopes the node declares. A
  // specialist declared as { id: <the workflow's agent>, scopes: ["letters:write"] } posts a
  // credit (credits:write), which its declaration does not hold: least privilege silently lost.
  // Expected (once fixed): validate() refuses the declaration, or the node acts with only the
  // scopes it declares (the credit refused, IDENTITY_SCOPE).
  it("HO-13 a specialist declared under the workflow agent's own id with fewer scopes cannot use the others", async () => {
    const credits = await (async () => {
      const desk = agentDesk({ team: true, specialist: { id: DESK_AGENT, scopes: ["letters:write"] } });
      const model = deskModel([{ toolCalls: [handoff("credit A-1")] }], [{ toolCalls: [credit("A-1", 50)] }]);
      await runtime.start(desk.workflow, request, { model: model.model });
      return desk.effects.credits;
    })().catch((error: unknown) => {
      expect(error).toBeInstanceOf(GovernorError);
      return [];
    });

    expect(credits).toEqual([]);
  });
});
