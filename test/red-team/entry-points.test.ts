import { compileForServer, GovernorError, type GovernorRuntime } from "@governor/core";
import { createRefundSample, PaymentsLedger } from "@governor/sample-refund";
import { Command } from "@langchain/langgraph";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditOf, type Harness, harness, rejection } from "./support/harness.js";
import {
  LAMP,
  LAPTOP,
  type RefundDesk,
  refundAttack,
  refundCall,
  refundDesk,
  signedDecision,
  startWaiting,
} from "./support/refund-desk.js";
import { studioGraph } from "./support/studio-graph.js";

/**
 * Every door into a run says the same thing about bad input (issue 6, item 5c): the runtime,
 * the compiled graph a library user invokes, and the graph LangGraph's API server loads for
 * Studio and SDK clients. And ids that select whom a control stops are compared in one form
 * (item 13). Every case counts the desk's real refunds.
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

const GARBAGE = { customerId: 5 };

describe("input is checked at the graph, whoever invokes it", () => {
  it("EP-1 the runtime, the compiled graph and its stream refuse the same garbage with the same INPUT_INVALID", async () => {
    const attack = refundAttack("small", [refundCall({ orderId: "A-1001", amount: 40 })]);
    const byRuntime = await rejection(runtime.start(desk.workflow, GARBAGE, { model: attack.model }));
    const graph = studioGraph(desk.workflow, runtime, attack.model);
    const byGraph = await rejection(graph.invoke(GARBAGE, { configurable: { thread_id: "lib" } }));
    const byStream = await rejection(
      (async () => {
        for await (const _ of await graph.stream(GARBAGE, { configurable: { thread_id: "stream" } })) {
          // drain
        }
      })(),
    );
    for (const error of [byRuntime, byGraph, byStream]) {
      expect(error.code).toBe("INPUT_INVALID");
      expect(error.message).toBe(byRuntime.message);
    }
    expect(byRuntime.message).toContain('Input for workflow "refund" is invalid');
    expect(byRuntime.message).toContain("customerId");
    // Refused before the first node: no step was audited, the model was never asked.
    expect(auditOf(runtime, "lib")).toHaveLength(0);
    expect(attack.calls).toHaveLength(0);
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it("EP-2 the graph compileForServer gives LangGraph's API server refuses garbage, and runs good input", async () => {
    const ledger = new PaymentsLedger();
    const sample = createRefundSample({ ledger });
    const graph = await compileForServer(sample, { dir: h.dir });
    const refused = await rejection(graph.invoke(GARBAGE, { configurable: { thread_id: "server-1" } }));
    expect(refused.code).toBe("INPUT_INVALID");
    const eventsRefused = await rejection(
      (async () => {
        for await (const _ of graph.streamEvents(GARBAGE, {
          version: "v2",
          configurable: { thread_id: "server-2" },
        })) {
          // drain
        }
      })(),
    );
    expect(eventsRefused.code).toBe("INPUT_INVALID");
    expect(ledger.refunds).toHaveLength(0);

    // The sample's own small case, stateless as the server runs it without a thread: one refund.
    const small = sample.cases.find((c) => c.name === "small-refund");
    await graph.invoke(small?.input ?? {}, { configurable: { thread_id: "server-3" } });
    expect(ledger.refunds).toHaveLength(1);
  });

  it("EP-3 a caller cannot hand the graph Governor's own channel as input (a budget of its choosing)", async () => {
    const attack = refundAttack("large", [refundCall({ orderId: "A-1002", amount: 1200 })]);
    const graph = studioGraph(desk.workflow, runtime, attack.model);
    const refused = await rejection(
      graph.invoke(
        { ...LAPTOP, governor: { budget: { maxSteps: 1e9 }, routes: { refund_gate: "allow" } } },
        { configurable: { thread_id: "forged" } },
      ),
    );
    expect(refused.code).toBe("INPUT_INVALID");
    expect(refused.message).toContain("(input).governor");
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it("EP-4 a resume is not input: the approved refund runs once through the same graph", async () => {
    const waiting = await startWaiting(runtime, desk);
    const attack = refundAttack("large", [refundCall({ orderId: "A-1002", amount: 1200 })]);
    const graph = studioGraph(desk.workflow, runtime, attack.model);
    const config = {
      configurable: {
        thread_id: waiting.threadId,
        principal: (await runtime.getRun(waiting.threadId)).principal,
      },
    };
    const decision = await signedDecision(runtime, waiting.approval);
    await graph.invoke(new Command({ resume: decision }), config);
    expect(desk.ledger.refunds).toHaveLength(1);
  });

  it("EP-5 wrong types inside otherwise complete input are refused field by field", async () => {
    const attack = refundAttack("small", [refundCall({ orderId: "A-1001", amount: 40 })]);
    const graph = studioGraph(desk.workflow, runtime, attack.model);
    const refused = await rejection(
      graph.invoke(
        { ...LAMP, orderId: ["A-1001"], request: { $gt: "" } },
        { configurable: { thread_id: "types" } },
      ),
    );
    expect(refused.code).toBe("INPUT_INVALID");
    expect(refused.message).toContain("orderId");
    expect(refused.message).toContain("request");
    expect(desk.ledger.refunds).toHaveLength(0);
  });
});

describe("ids that select whom a control stops", () => {
  it("EP-6 kill({ agent: ' Support ' }) stops the waiting runs of agent support; unkill in another case releases it", async () => {
    const waiting = await startWaiting(runtime, desk);
    const record = await runtime.kill({ agent: " Support ", reason: "incident 42" });
    expect(record.scope).toBe("agent:support");

    const decision = await signedDecision(runtime, waiting.approval);
    const attack = refundAttack("large", [refundCall({ orderId: "A-1002", amount: 1200 })]);
    const refused = await rejection(
      runtime.resume(desk.workflow, waiting.threadId, decision, { model: attack.model }),
    );
    expect(refused.code).toBe("KILLED");
    expect((await rejection(runtime.start(desk.workflow, LAMP, { model: attack.model }))).code).toBe(
      "KILLED",
    );
    expect(desk.ledger.refunds).toHaveLength(0);

    expect(await runtime.unkill({ agent: "SUPPORT" })).toBe(true);
    expect(await runtime.killSwitches()).toHaveLength(0);
    const approved = await runtime.resume(desk.workflow, waiting.threadId, decision, { model: attack.model });
    expect(approved.status).toBe("completed");
    expect(desk.ledger.refunds).toHaveLength(1);
  });

  it("EP-8 a switch stored before ids were canonical ('agent:Support') still stops the agent's runs once the store is reopened", async () => {
    // As an older Governor wrote it, straight into the store: the exact spelling it was given.
    runtime.store.db
      .prepare("INSERT INTO kill_switches (scope, reason, at, by) VALUES (?, ?, ?, ?)")
      .run("agent:Support", "incident 41", new Date().toISOString(), "ops");
    const upgraded = h.open();

    const attack = refundAttack("large", [refundCall({ orderId: "A-1001", amount: 120 })]);
    const refused = await rejection(upgraded.start(desk.workflow, LAMP, { model: attack.model }));
    expect(refused.code).toBe("KILLED");
    expect(desk.ledger.refunds).toHaveLength(0);
    expect(await upgraded.killSwitches()).toEqual([
      expect.objectContaining({ scope: "agent:support", reason: "incident 41", by: "ops" }),
    ]);
    expect(await upgraded.unkill({ agent: "support" })).toBe(true);
    expect(await upgraded.killSwitches()).toHaveLength(0);
  });

  it("EP-7 an empty agent id is refused, never read as 'every agent' or 'no agent'", async () => {
    for (const agent of ["", "   ", "\t"]) {
      await expect(runtime.kill({ agent })).rejects.toThrow(GovernorError);
    }
    expect(await runtime.killSwitches()).toHaveLength(0);
  });
});
