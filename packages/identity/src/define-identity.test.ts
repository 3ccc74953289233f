import { describe, expect, it } from "vitest";
import { defineIdentity, type IdentityConfig } from "./define-identity.js";
import { issueDelegationToken } from "./delegation-token.js";
import { missingScopes } from "./principal.js";
import { hs256Keys } from "./token-keys.js";

const keys = hs256Keys("a-test-secret-that-is-long-enough-0123456789");

const config = {
  roles: {
    "support-agent": ["refunds:write", "orders:read"],
    reader: ["orders:read", "customers:read"],
    supervisor: ["approvals:refunds"],
  },
  agents: { support: { roles: ["support-agent", "reader"] }, triage: { roles: ["reader"] } },
  approvers: {
    sam: { scopes: ["approvals:refunds"] },
    lee: { roles: ["supervisor"], scopes: ["approvals:other"] },
  },
} satisfies IdentityConfig;

describe("defineIdentity", () => {
  it("gives an agent the union of its roles' scopes", () => {
    const support = defineIdentity(config).agent("support");
    expect(support).toMatchObject({ id: "agent:support", kind: "agent", agentId: "support" });
    expect([...support.scopes].sort()).toEqual(["customers:read", "orders:read", "refunds:write"]);
    expect(support.roles).toEqual(["support-agent", "reader"]);
  });

  it("refuses an unknown agent or approver with IDENTITY_UNKNOWN", () => {
    const identity = defineIdentity(config);
    expect(() => identity.agent("billing")).toThrow(expect.objectContaining({ code: "IDENTITY_UNKNOWN" }));
    expect(() => identity.agent("billing")).toThrow(/agent "billing"/);
    expect(() => identity.approver("mallory")).toThrow(expect.objectContaining({ code: "IDENTITY_UNKNOWN" }));
    expect(identity.findApprover("mallory")).toBeUndefined();
  });

  it("gives an approver its own scopes plus its roles'", () => {
    const identity = defineIdentity(config);
    expect(identity.approver("sam").scopes).toEqual(["approvals:refunds"]);
    expect([...identity.approver("lee").scopes].sort()).toEqual(["approvals:other", "approvals:refunds"]);
  });

  it("names the agent and the role when an agent has an undeclared role", () => {
    const bad = { ...config, agents: { support: { roles: ["support-agent", "admin"] } } };
    expect(() => defineIdentity(bad)).toThrow(
      expect.objectContaining({
        code: "IDENTITY_UNKNOWN",
        message: expect.stringMatching(/agent "support".*"admin"/),
      }),
    );
  });

  it.each([
    ["no roles", { roles: {}, agents: { support: { roles: ["x"] } } }, /at least one role/],
    ["a role without scopes", { roles: { r: [] }, agents: { a: { roles: ["r"] } } }, /roles\.r/],
    [
      "a duplicate scope",
      { roles: { r: ["a:b", "a:b"] }, agents: { a: { roles: ["r"] } } },
      /duplicate scope "a:b"/,
    ],
    [
      "a duplicate role",
      { roles: { r: ["a:b"] }, agents: { a: { roles: ["r", "r"] } } },
      /duplicate role "r"/,
    ],
    ["a scope with a space", { roles: { r: ["a b"] }, agents: { a: { roles: ["r"] } } }, /roles\.r\.0/],
    [
      "an empty approver",
      { roles: { r: ["a:b"] }, agents: { a: { roles: ["r"] } }, approvers: { sam: {} } },
      /sam/,
    ],
    [
      "an unknown key",
      { roles: { r: ["a:b"] }, agents: { a: { roles: ["r"], scopes: ["x"] } } },
      /agents\.a/,
    ],
  ])("refuses %s with CONFIG_INVALID", (_name, bad, message) => {
    expect(() => defineIdentity(bad as IdentityConfig)).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(message) }),
    );
  });
});

describe("Identity.delegated", () => {
  it("holds only the scopes both the agent's roles and the user's token grant", async () => {
    const identity = defineIdentity(config);
    const token = await issueDelegationToken(keys, {
      agentId: "support",
      userId: "u-42",
      scopes: ["orders:read", "payroll:write"],
    });
    const principal = await identity.delegated("support", token, keys);
    expect(principal).toMatchObject({ id: "agent:support/user:u-42", kind: "delegated", userId: "u-42" });
    expect(principal.scopes).toEqual(["orders:read"]);
    // The user could not lend refunds:write, and the agent's role cannot add payroll:write.
    expect(missingScopes(principal, ["refunds:write"])).toEqual(["refunds:write"]);
    expect(missingScopes(principal, ["payroll:write"])).toEqual(["payroll:write"]);
  });

  it("refuses a token lent to another agent", async () => {
    const identity = defineIdentity(config);
    const token = await issueDelegationToken(keys, {
      agentId: "triage",
      userId: "u-42",
      scopes: ["orders:read"],
    });
    await expect(identity.delegated("support", token, keys)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      details: { reason: "agent" },
    });
  });

  it("refuses an unknown agent before looking at the token", async () => {
    await expect(defineIdentity(config).delegated("billing", "not-a-token", keys)).rejects.toMatchObject({
      code: "IDENTITY_UNKNOWN",
    });
  });
});
