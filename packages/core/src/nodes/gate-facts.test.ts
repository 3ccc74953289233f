import { agentPrincipal } from "@governor/identity";
import { MemoryStore } from "@governor/memory";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { GateNode } from "../workflow/node-definitions.js";
import { readGateFacts } from "./gate-facts.js";

const dispatcher = agentPrincipal("dispatch", ["memory:write:acme", "memory:attest:*:100"]);
const call = { id: "c1", tool: "book", args: { carrier: "Carrier X" } } as unknown as ProposedCall;
// A run's state claims a rule: a caller who can write the thread's state can write this.
const forgedState = { mandate: "Carrier X" } as unknown as GraphState;

describe("gate facts read the system of record", () => {
  it("hand every fact callback the run's principal and memory, so a rule comes from the store, not the state", async () => {
    const db = new Database(":memory:");
    const memory = new MemoryStore(db, { audit: new SqliteAuditJournal(db) });
    await memory.write({ principal: dispatcher }, [
      {
        scope: { tenant: "acme" },
        entity: "Zone B",
        attribute: "carrier",
        value: "Carrier Y",
        kind: "mandate",
        authority: { by: "ops-director", weight: 90 },
        source: { type: "manual" },
      },
    ]);
    const seen: unknown[] = [];
    const gate: GateNode<GraphState> = {
      kind: "gate",
      guards: "book",
      facts: (_state, _call, env) => {
        seen.push(env.principal.id);
        const [rule] = env.memory?.current(env.principal, { tenant: "acme" }) ?? [];
        return { context: { mandatedCarrier: rule?.value ?? null } };
      },
    };
    const read = await readGateFacts("gate", gate, forgedState, call, { principal: dispatcher, memory });
    expect(read).toMatchObject({ ok: true, facts: { context: { mandatedCarrier: "Carrier Y" } } });
    expect(seen).toEqual(["agent:dispatch"]);

    const split: GateNode<GraphState> = {
      kind: "gate",
      guards: "book",
      context: (_state, _call, env) => ({ who: env.principal.id, hasMemory: env.memory !== undefined }),
      resource: (_state, _call, env) => ({ type: "Principal", id: env.principal.id }),
    };
    const withoutStore = await readGateFacts("gate", split, forgedState, call, { principal: dispatcher });
    expect(withoutStore).toMatchObject({
      ok: true,
      facts: { context: { who: "agent:dispatch", hasMemory: false }, resource: { id: "agent:dispatch" } },
    });
  });
});
