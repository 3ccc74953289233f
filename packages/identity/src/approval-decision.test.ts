import { describe, expect, it } from "vitest";
import { signApprovalDecision, verifyApprovalDecision } from "./approval-decision.js";
import { defineIdentity } from "./define-identity.js";
import { issueDelegationToken } from "./delegation-token.js";
import { eddsaKeys, generateEd25519KeyPair, hs256Keys } from "./token-keys.js";

const keys = hs256Keys("a-test-secret-that-is-long-enough-0123456789");
const identity = defineIdentity({
  roles: { "support-agent": ["refunds:write"] },
  agents: { support: { roles: ["support-agent"] } },
  approvers: { sam: { scopes: ["approvals:refunds"] }, kim: { scopes: ["approvals:other"] } },
});
const request = {
  threadId: "thread-a",
  node: "approve_refund",
  requestId: "req-1",
  callHash: "sha256:refund-1200",
};
const pending = { request, approvers: identity, requiredScope: "approvals:refunds" };

describe("approval decisions", () => {
  it("verify for the call they answer, returning who decided what and the jti to remember", async () => {
    const token = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "approve",
      request,
      reason: "lost by courier",
    });
    const decision = await verifyApprovalDecision(keys, token, pending);
    expect(decision).toMatchObject({ approver: "sam", decision: "approve", reason: "lost by courier" });
    expect(decision.jti).toMatch(/\S{8,}/);
    expect(decision.expiresAt.getTime() - decision.issuedAt.getTime()).toBe(10 * 60 * 1000);
  });

  it("carry a rejection just as signed", async () => {
    const token = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "reject",
      request,
    });
    await expect(verifyApprovalDecision(keys, token, pending)).resolves.toMatchObject({
      decision: "reject",
      reason: undefined,
    });
  });

  it("are refused with APPROVAL_INVALID for another call's hash", async () => {
    const token = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "approve",
      request: { ...request, callHash: "sha256:refund-120" },
    });
    await expect(verifyApprovalDecision(keys, token, pending)).rejects.toThrow(
      expect.objectContaining({
        code: "APPROVAL_INVALID",
        message: expect.stringMatching(/sha256:refund-120/),
      }),
    );
  });

  it("are refused from an approver without the required scope, or from no configured approver", async () => {
    const byKim = await signApprovalDecision(keys, {
      approver: "kim",
      decision: "approve",
      request,
    });
    await expect(verifyApprovalDecision(keys, byKim, pending)).rejects.toThrow(
      expect.objectContaining({
        code: "APPROVAL_INVALID",
        message: expect.stringMatching(/"kim" lacks.*approvals:refunds/),
      }),
    );
    const byMallory = await signApprovalDecision(keys, {
      approver: "mallory",
      decision: "approve",
      request,
    });
    await expect(verifyApprovalDecision(keys, byMallory, pending)).rejects.toThrow(
      expect.objectContaining({
        code: "APPROVAL_INVALID",
        message: expect.stringMatching(/"mallory".*not a configured/),
      }),
    );
  });

  it("accept a predicate in place of the registry", async () => {
    const token = await signApprovalDecision(keys, {
      approver: "ops-bot",
      decision: "approve",
      request,
    });
    const onlyOps = (id: string) => id.startsWith("ops-");
    await expect(verifyApprovalDecision(keys, token, { request, approvers: onlyOps })).resolves.toMatchObject(
      {
        approver: "ops-bot",
      },
    );
    await expect(
      verifyApprovalDecision(keys, token, { request, approvers: () => false }),
    ).rejects.toMatchObject({
      code: "APPROVAL_INVALID",
    });
  });

  it("are refused with IDENTITY_TOKEN_EXPIRED once expired", async () => {
    const token = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "approve",
      request,
      expiresIn: "2m",
    });
    const later = new Date(Date.now() + 3 * 60 * 1000);
    await expect(verifyApprovalDecision(keys, token, { ...pending, now: later })).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_EXPIRED",
    });
  });

  it("are refused when signed with another key, or when a delegation token is passed off as one", async () => {
    const forged = await signApprovalDecision(hs256Keys("an-attacker-secret-that-is-long-enough-42"), {
      approver: "sam",
      decision: "approve",
      request,
    });
    await expect(verifyApprovalDecision(keys, forged, pending)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
    });
    const delegation = await issueDelegationToken(keys, { agentId: "support", userId: "sam", scopes: ["x"] });
    await expect(verifyApprovalDecision(keys, delegation, pending)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      details: { reason: "audience" },
    });
  });

  it("round-trip with EdDSA", async () => {
    const pair = generateEd25519KeyPair();
    const token = await signApprovalDecision(eddsaKeys(pair), {
      approver: "sam",
      decision: "approve",
      request,
    });
    await expect(
      verifyApprovalDecision(eddsaKeys({ publicKey: pair.publicKey }), token, pending),
    ).resolves.toMatchObject({ approver: "sam", decision: "approve" });
  });

  it("are not signed for an unknown verdict", async () => {
    await expect(
      signApprovalDecision(keys, { approver: "sam", decision: "maybe" as "approve", request }),
    ).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("are refused for another run, another node or another request of the same run", async () => {
    const token = await signApprovalDecision(keys, { approver: "sam", decision: "approve", request });
    for (const [field, other] of [
      ["threadId", "thread-b"],
      ["node", "approve_other"],
      ["requestId", "req-0"],
    ] as const) {
      await expect(
        verifyApprovalDecision(keys, token, { ...pending, request: { ...request, [field]: other } }),
      ).rejects.toMatchObject({ code: "APPROVAL_INVALID", details: { field } });
    }
  });

  it("are refused when they live longer than allowed, whatever their signature", async () => {
    const monthLong = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "approve",
      request,
      expiresIn: "30d",
    });
    await expect(verifyApprovalDecision(keys, monthLong, pending)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      message: expect.stringMatching(/longer than the 3600s/),
    });
    const tenMinutes = await signApprovalDecision(keys, { approver: "sam", decision: "approve", request });
    await expect(
      verifyApprovalDecision(keys, tenMinutes, { ...pending, maxLifetimeSeconds: 300 }),
    ).rejects.toMatchObject({ code: "IDENTITY_TOKEN_INVALID" });
  });

  it("are refused when issued in the future beyond the clock skew, and accepted within it", async () => {
    const now = new Date("2026-12-01T12:00:00Z");
    const ahead = (seconds: number) =>
      signApprovalDecision(keys, {
        approver: "sam",
        decision: "approve",
        request,
        now: new Date(now.getTime() + seconds * 1000),
      });
    await expect(verifyApprovalDecision(keys, await ahead(300), { ...pending, now })).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      message: expect.stringMatching(/in the future/),
    });
    await expect(verifyApprovalDecision(keys, await ahead(30), { ...pending, now })).resolves.toMatchObject({
      approver: "sam",
    });
  });
});
