import { compile, defineWorkflow, END, type GovernorStore, START, scratchMemoryStore } from "@governor/core";
import type { MemoryEvent } from "@governor/memory";
import { SqliteAuditJournal } from "@governor/observability";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { carrierRule, crashingCheckpointer, operator, tempStore, zoneB } from "./memory-fixture.js";

const zoneA = { entity: "zone-a", attribute: "carrier" } as const;
/** The router writes for tenant acme and relays what the director and the dispatcher said, at their weights. */
const WRITER = ["memory:write:acme", "memory:attest:ops-director:90", "memory:attest:dispatcher:40"];

/**
 * One node writes two facts: the director's new Zone B carrier (an UPDATE it may make) and a
 * dispatcher's Zone A carrier against the director's mandate (waits for an approval). A second
 * write of this batch would leave a second pending request and a second audit record.
 */
function writingWorkflow(calls: { facts: number }, scopes = WRITER) {
  return defineWorkflow({
    name: "memory-writer",
    state: z.object({
      tenant: z.string(),
      carrier: z.string(),
      events: z.array(z.any()).optional(),
      done: z.boolean().optional(),
    }),
    agent: { id: "router", scopes },
    policy: new RulePolicyEngine([]),
    tools: [],
    nodes: {
      decide: {
        kind: "memory-write",
        description: "records the new rule",
        facts: (state) => {
          calls.facts++;
          const tenant = state.tenant as string;
          return [
            carrierRule(state.carrier as string, "mandate", "ops-director", 90, tenant),
            { ...carrierRule("Dispatch Co", "mandate", "dispatcher", 40, tenant), ...zoneA },
          ];
        },
        into: "events",
      },
      finish: { kind: "task", run: () => ({ done: true }) },
    },
    edges: [
      [START, "decide"],
      ["decide", "finish"],
      ["finish", END],
    ],
  });
}

let fixture: ReturnType<typeof tempStore>;
let store: GovernorStore;
beforeEach(() => {
  fixture = tempStore();
  store = fixture.store;
  store.memory.writeNow({ principal: operator }, [
    carrierRule("Carrier X", "mandate", "ops-director", 90),
    { ...carrierRule("Carrier A", "mandate", "ops-director", 90), ...zoneA },
  ]);
});
afterEach(() => fixture.close());

const memoryRecords = (threadId: string) =>
  store.audit.list(threadId).filter((record) => record.kind === "memory");

describe("memory-write node", () => {
  it("writes the batch with the run's principal, thread and node; a write waiting for approval does not stop the run", async () => {
    const calls = { facts: 0 };
    const graph = compile(writingWorkflow(calls), {
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    const config = { configurable: { thread_id: "w1" } };

    const state = await graph.invoke({ tenant: "acme", carrier: "Carrier Y" }, config);

    expect(state.done).toBe(true);
    const events = state.events as MemoryEvent[];
    expect(events.map((e) => [e.event, e.status])).toEqual([
      ["UPDATE", "applied"],
      ["UPDATE", "pending-approval"],
    ]);
    expect(store.memory.current(operator, { tenant: "acme" }, { keys: [zoneB] })[0]?.value).toBe("Carrier Y");
    // The dispatcher's change waits out of band, bound to this run and node.
    const pending = store.memory.pending(operator, { tenant: "acme" });
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ threadId: "w1", node: "decide" });
    expect(store.memory.current(operator, { tenant: "acme" }, { keys: [zoneA] })[0]?.value).toBe("Carrier A");
    const [record] = memoryRecords("w1");
    expect(record).toMatchObject({ outcome: "require-approval", node: "decide", principal: "agent:router" });
  });

  it("writes a batch once when the worker dies after the write and the run is recovered: a newer rule set meanwhile is not overwritten", async () => {
    const calls = { facts: 0 };
    const armed = { on: false };
    const workflow = writingWorkflow(calls);
    const graph = compile(workflow, {
      checkpointer: crashingCheckpointer(store.checkpointer, armed),
      ...store.graphServices(),
    });
    const config = { configurable: { thread_id: "w2" } };
    const original = workflow.nodes.decide as { facts: (state: Record<string, unknown>) => unknown };
    const facts = original.facts;
    original.facts = (state) => {
      armed.on = true;
      return facts(state);
    };

    await expect(graph.invoke({ tenant: "acme", carrier: "Carrier Y" }, config)).rejects.toThrow(
      /worker died/,
    );
    expect(store.memory.current(operator, { tenant: "acme" }, { keys: [zoneB] })[0]?.value).toBe("Carrier Y");
    // Between the crash and the recovery the director changes the rule again.
    store.memory.writeNow({ principal: operator }, [carrierRule("Carrier Z", "mandate", "ops-director", 90)]);

    original.facts = facts;
    const state = await graph.invoke(null, config);

    expect(calls.facts).toBe(2);
    expect(state.done).toBe(true);
    expect(store.memory.current(operator, { tenant: "acme" }, { keys: [zoneB] })[0]?.value).toBe("Carrier Z");
    expect(store.memory.pending(operator, { tenant: "acme" })).toHaveLength(1);
    expect(memoryRecords("w2")).toHaveLength(1);
    // The recovered run still reports what its batch did.
    expect((state.events as MemoryEvent[]).map((e) => e.status)).toEqual(["applied", "pending-approval"]);
  });

  it("replaying a thread from a checkpoint before the write does not write again; a fork with new state is a new batch", async () => {
    const calls = { facts: 0 };
    const graph = compile(writingWorkflow(calls), {
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    const config = { configurable: { thread_id: "w3" } };
    await graph.invoke({ tenant: "acme", carrier: "Carrier Y" }, config);
    const history = [];
    for await (const snapshot of graph.getStateHistory(config)) history.push(snapshot);
    const beforeWrite = history.find((snapshot) => snapshot.next.includes("decide"));
    expect(beforeWrite).toBeDefined();

    await graph.invoke(null, beforeWrite?.config);
    expect(calls.facts).toBe(2);
    expect(store.memory.pending(operator, { tenant: "acme" })).toHaveLength(1);
    expect(memoryRecords("w3")).toHaveLength(1);
    expect(store.memory.history(operator, { tenant: "acme" }, zoneB)).toHaveLength(2);

    const fork = await graph.updateState(beforeWrite?.config ?? config, { carrier: "Carrier W" });
    await graph.invoke(null, fork);
    expect(calls.facts).toBe(3);
    expect(store.memory.current(operator, { tenant: "acme" }, { keys: [zoneB] })[0]?.value).toBe("Carrier W");
    expect(memoryRecords("w3")).toHaveLength(2);
  });

  it("is drawn as its own node with its kind, and `governor graph`'s scratch store is enough to draw it", async () => {
    const graph = compile(writingWorkflow({ facts: 0 }), {
      audit: new SqliteAuditJournal(":memory:"),
      effects: store.effects,
      memory: scratchMemoryStore(),
    });
    const drawn = await graph.getGraphAsync();
    const mermaid = drawn.drawMermaid();
    expect(mermaid).toMatch(/decide\(decide<hr\/><small><em>governor = memory-write/);
    expect(mermaid).toMatch(/__start__ --> decide/);
    expect(mermaid).toMatch(/decide --> finish/);
    expect(drawn.nodes.decide?.metadata).toMatchObject({ governor: "memory-write" });
  });

  it("fails the run closed with MEMORY_SCOPE_DENIED when the run may only read, and writes nothing", async () => {
    const calls = { facts: 0 };
    const graph = compile(writingWorkflow(calls, ["memory:read:acme"]), {
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    await expect(
      graph.invoke({ tenant: "acme", carrier: "Carrier Y" }, { configurable: { thread_id: "w4" } }),
    ).rejects.toMatchObject({ code: "MEMORY_SCOPE_DENIED" });
    expect(store.memory.current(operator, { tenant: "acme" }, { keys: [zoneB] })[0]?.value).toBe("Carrier X");
    expect(memoryRecords("w4").map((r) => r.outcome)).toEqual(["denied"]);
  });

  it("fails the run closed when a run of tenant acme writes tenant globex's memory", async () => {
    const calls = { facts: 0 };
    const graph = compile(writingWorkflow(calls), {
      checkpointer: store.checkpointer,
      ...store.graphServices(),
    });
    await expect(
      graph.invoke({ tenant: "globex", carrier: "Carrier Y" }, { configurable: { thread_id: "w5" } }),
    ).rejects.toMatchObject({ code: "MEMORY_SCOPE_DENIED" });
    expect(() => store.memory.current(operator, { tenant: "globex" })).not.toThrow();
    expect(store.memory.current(operator, { tenant: "globex" })).toEqual([]);
  });
});
