import { readdirSync, readFileSync } from "node:fs";
import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { supplyChainPolicy } from "../src/index.js";

interface Fixture {
  readonly name: string;
  readonly request: {
    readonly principal: { agentId: string; roles: string[]; scopes: string[] };
    readonly action: string;
    readonly resource?: { type: string; id: string };
    readonly args: Record<string, unknown>;
    readonly context: Record<string, unknown>;
  };
  readonly expect: { readonly effect: string; readonly policyIds: readonly string[] };
}

const dir = new URL("../policies/tests/", import.meta.url);
const fixtures = readdirSync(dir)
  .filter((name) => name.endsWith(".json"))
  .sort()
  .map((name) => [name, JSON.parse(readFileSync(new URL(name, dir), "utf8")) as Fixture] as const);

describe("supply-chain policies (the fixtures `governor policy test` runs)", () => {
  it("has fixtures for every action the policies decide", () => {
    const actions = new Set(fixtures.map(([, fixture]) => fixture.request.action));
    expect([...actions].sort()).toEqual([
      "handoff_to_executor",
      "handoff_to_specialist",
      "read_shipments",
      "update_erp",
    ]);
  });

  for (const [file, fixture] of fixtures) {
    it(`${file}: ${fixture.name}`, () => {
      const { principal, ...rest } = fixture.request;
      const decision = supplyChainPolicy.decide({
        ...rest,
        principal: agentPrincipal(principal.agentId, principal.scopes, principal.roles),
      });
      expect(decision.effect).toBe(fixture.expect.effect);
      expect([...decision.policyIds].sort()).toEqual([...fixture.expect.policyIds].sort());
    });
  }

  it("denies an ERP change whose value the gate could not price (fail closed)", () => {
    const decision = supplyChainPolicy.decide({
      principal: agentPrincipal("executor", ["erp:write"], ["erp-operator"]),
      action: "update_erp",
      resource: { type: "Item", id: "SKU-100" },
      args: { sku: "SKU-100", site: "PLANT-1", vendorId: "V-7", quantity: 10, reason: "top up" },
      context: {},
    });
    expect(decision.effect).toBe("deny");
  });
});
