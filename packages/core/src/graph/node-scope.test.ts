import { GovernorError } from "@governor/errors";
import { agentPrincipal } from "@governor/identity";
import { describe, expect, it } from "vitest";
import { principalOf } from "./node-scope.js";

// principalOf checks a caller's principal once per object and workflow agent; these tests
// hold the cache to the uncached answer.
const agent = { id: "support", scopes: ["refunds:write", "orders:read"], roles: [] };
const services = {
  workflow: { name: "refund", agent },
  defaultPrincipal: agentPrincipal(agent.id, agent.scopes, agent.roles),
};
const narrowed = () => ({ id: "agent:support", kind: "agent", agentId: "support", scopes: ["orders:read"] });

describe("principalOf", () => {
  it("keeps the checked copy: changing the caller's object after the first node claims nothing more", () => {
    const given = narrowed();
    const config = { configurable: { principal: given } };
    expect(principalOf(config, services).scopes).toEqual(["orders:read"]);
    given.scopes.push("admin:everything");
    expect(principalOf(config, services).scopes).toEqual(["orders:read"]);
  });

  it("checks the same object again against another workflow's agent", () => {
    const config = { configurable: { principal: narrowed() } };
    expect(principalOf(config, services).agentId).toBe("support");
    const other = {
      ...services,
      workflow: { name: "billing", agent: { id: "billing", scopes: ["orders:read"] } },
    };
    expect(() => principalOf(config, other)).toThrowError(GovernorError);
  });

  it("refuses a principal beyond the agent every time it is asked", () => {
    const config = { configurable: { principal: { ...narrowed(), scopes: ["admin:everything"] } } };
    for (let i = 0; i < 2; i++) expect(() => principalOf(config, services)).toThrowError(/beyond/);
  });
});
