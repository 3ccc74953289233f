import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type CallScope, defineTool, GovernorStore, type ProposedCall, ToolGateway } from "@governor/core";
import { agentPrincipal } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";

/**
 * Handler results JSON cannot carry: a bigint, a Buffer, a Date, a Map, a class instance, a
 * circular object. The effect happens once; the journal says it happened (outcome unknown,
 * with the reason, when the result cannot be kept); the audit chain still verifies; and a
 * store opened again reads the committed effect back instead of calling the handler.
 */

const dirs: string[] = [];
const stores: GovernorStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) {
    try {
      store.close();
    } catch {
      // closed by the test
    }
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

class Receipt {
  readonly #secret = "never stored";
  constructor(
    readonly id: string,
    readonly cents: number,
  ) {}
  get display(): string {
    return `${this.id}: ${this.#secret}`;
  }
}

type Circular = { id: string; self?: Circular };

const RESULTS: [kind: string, make: () => unknown, stored: unknown][] = [
  [
    "a bigint",
    () => ({ ledgerId: 2n ** 70n }),
    { ledgerId: { $type: "bigint", value: "1180591620717411303424" } },
  ],
  ["a Buffer", () => ({ pdf: Buffer.from("%PDF-1") }), { pdf: { $type: "bytes", base64: "JVBERi0x" } }],
  ["a Date", () => ({ at: new Date(Date.UTC(2026, 0, 2)) }), { at: "2026-01-02T00:00:00.000Z" }],
  [
    "a Map",
    () => ({
      lines: new Map([
        ["b", 2],
        ["a", 1],
      ]),
    }),
    {
      lines: {
        $type: "map",
        entries: [
          ["a", 1],
          ["b", 2],
        ],
      },
    },
  ],
  ["a class instance", () => new Receipt("R-1", 1250), { id: "R-1", cents: 1250 }],
  [
    "a NaN and a -0",
    () => ({ rate: Number.NaN, delta: -0 }),
    { rate: { $type: "number", value: "NaN" }, delta: 0 },
  ],
];

const scope: CallScope = {
  threadId: "t-1",
  node: "pay",
  principal: agentPrincipal("billing", ["billing:write"]),
};
const call: ProposedCall = {
  id: "call_1",
  tool: "pay",
  args: { amount: 5 },
  callIndex: 0,
  proposedBy: "propose",
};
const policy = new RulePolicyEngine([
  { id: "may-pay", effect: "permit", actions: ["pay"], reason: "billing pays" },
]);

function setup(make: () => unknown, idempotent = false) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-results-"));
  dirs.push(dir);
  const calls = { count: 0 };
  const tool = defineTool({
    name: "pay",
    description: "Pay",
    input: z.object({ amount: z.number() }).strict(),
    scopes: ["billing:write"],
    risk: "write",
    idempotent,
    handler: () => {
      calls.count++;
      return make();
    },
  });
  const gatewayOn = () => {
    const store = new GovernorStore(dir);
    stores.push(store);
    return {
      store,
      gateway: new ToolGateway({ tools: [tool], policy, audit: store.audit, effects: store.effects }),
    };
  };
  return { calls, gatewayOn };
}

function executionOutcomes(store: GovernorStore): string[] {
  return store.audit
    .list("t-1")
    .filter((record) => record.kind === "execution")
    .map((record) => record.outcome);
}

describe("handler results JSON cannot carry", () => {
  it.each(RESULTS)(
    "ER-1 %s: runs once, is journaled as executed, verifies, and is read back",
    async (_kind, make, stored) => {
      const { calls, gatewayOn } = setup(make);
      const first = gatewayOn();

      const outcome = await first.gateway.execute(call, { amount: 5 }, scope);

      expect(calls.count).toBe(1);
      expect(outcome).toMatchObject({ ok: true, replayed: false, result: stored });
      expect(first.store.effects.get(outcome.idempotencyKey)).toMatchObject({
        status: "committed",
        result: stored,
      });
      expect(executionOutcomes(first.store)).toEqual(["executed"]);
      expect(first.store.audit.verify()).toMatchObject({ ok: true });
      first.store.close();

      const later = gatewayOn();
      const again = await later.gateway.execute(call, { amount: 5 }, scope);

      expect(calls.count).toBe(1);
      expect(again).toMatchObject({ ok: true, replayed: true, result: stored });
      expect(later.store.audit.verify()).toMatchObject({ ok: true });
    },
  );

  it.each([false, true])(
    "ER-2 a circular result (idempotent tool: %s) is an effect that happened, outcome unknown with the reason, never re-run",
    async (idempotent) => {
      const { calls, gatewayOn } = setup(() => {
        const order: Circular = { id: "O-1" };
        order.self = order;
        return order;
      }, idempotent);
      const first = gatewayOn();

      const outcome = await first.gateway.execute(call, { amount: 5 }, scope);

      expect(calls.count).toBe(1);
      expect(outcome).toMatchObject({ ok: false, reason: "outcome-unknown", replayed: false });
      expect(outcome.ok === false && outcome.error).toMatch(/call happened.*Circular reference at \$\.self/);
      expect(first.store.effects.get(outcome.idempotencyKey)).toMatchObject({ status: "committed" });
      expect(executionOutcomes(first.store)).toEqual(["outcome-unknown"]);
      expect(first.store.audit.verify()).toMatchObject({ ok: true });
      first.store.close();

      const later = gatewayOn();
      const again = await later.gateway.execute(call, { amount: 5 }, scope);

      expect(calls.count).toBe(1);
      expect(again).toMatchObject({ ok: false, reason: "outcome-unknown", replayed: true });
      expect(later.store.audit.verify()).toMatchObject({ ok: true });
    },
  );

  it("ER-3 a result whose getter throws is kept as outcome unknown, not turned into a failure", async () => {
    const { calls, gatewayOn } = setup(() => ({
      get total(): number {
        throw new Error("lazy total not loaded");
      },
    }));
    const { store, gateway } = gatewayOn();

    const outcome = await gateway.execute(call, { amount: 5 }, scope);

    expect(calls.count).toBe(1);
    expect(outcome).toMatchObject({ ok: false, reason: "outcome-unknown" });
    expect(outcome.ok === false && outcome.error).toContain("lazy total not loaded");
    expect(executionOutcomes(store)).toEqual(["outcome-unknown"]);
    expect(store.effects.get(outcome.idempotencyKey)?.status).toBe("committed");
  });

  it("ER-4 arguments a contract turned into a bigint run once and hash and audit without breaking the chain", async () => {
    const { calls, gatewayOn } = setup(() => ({ ok: true }));
    const { store, gateway } = gatewayOn();
    const args = { amount: 5, ledger: 2n ** 64n, scan: Buffer.from([1, 2, 3]) };

    const first = await gateway.execute(call, args, scope);
    const second = await gateway.execute(call, { ...args, scan: Buffer.from([1, 2, 3]) }, scope);

    expect(calls.count).toBe(1);
    expect(second).toMatchObject({ ok: true, replayed: true });
    expect(second.idempotencyKey).toBe(first.idempotencyKey);
    const executed = store.audit.list("t-1").find((record) => record.kind === "execution");
    expect(executed?.data.args).toMatchObject({ ledger: { $type: "bigint", value: "18446744073709551616" } });
    expect(store.audit.verify()).toMatchObject({ ok: true });
  });
});
