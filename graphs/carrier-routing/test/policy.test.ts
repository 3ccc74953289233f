import { readdirSync, readFileSync } from "node:fs";
import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { carrierRoutingPolicy } from "../src/index.js";

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

describe("carrier-routing policies (the fixtures `governor policy test` runs)", () => {
  it("has a fixture for each outcome of a booking", () => {
    expect(new Set(fixtures.map(([, fixture]) => fixture.expect.effect))).toEqual(
      new Set(["allow", "require-approval", "deny"]),
    );
  });

  for (const [file, fixture] of fixtures) {
    it(`${file}: ${fixture.name}`, () => {
      const { principal, ...rest } = fixture.request;
      const decision = carrierRoutingPolicy.decide({
        ...rest,
        principal: agentPrincipal(principal.agentId, principal.scopes, principal.roles),
      });
      expect(decision.effect).toBe(fixture.expect.effect);
      expect([...decision.policyIds].sort()).toEqual([...fixture.expect.policyIds].sort());
    });
  }

  it("denies a booking whose zone the gate could not read (fail closed)", () => {
    const decision = carrierRoutingPolicy.decide({
      principal: agentPrincipal("dispatch", ["shipments:book"], ["dispatcher"]),
      action: "book_shipment",
      resource: { type: "Shipment", id: "SH-102" },
      args: { shipmentId: "SH-102", carrier: "Carrier X" },
      context: { mandatedCarrier: "Carrier X" },
    });
    expect(decision.effect).toBe("deny");
  });
});
