import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signApprovalDecision } from "./approval-decision.js";
import { issueDelegationToken, verifyDelegationToken } from "./delegation-token.js";
import { eddsaKeys, generateEd25519KeyPair, hs256Keys } from "./token-keys.js";

const keys = hs256Keys("a-test-secret-that-is-long-enough-0123456789");
const lent = { agentId: "support", userId: "u-42", scopes: ["orders:read", "refunds:write"] };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const parts = (token: string) => token.split(".") as [string, string, string];
const payloadOf = (token: string) => JSON.parse(Buffer.from(parts(token)[1], "base64url").toString("utf8"));

describe("delegation tokens", () => {
  it("carry the user, the acting agent and the lent scopes", async () => {
    const token = await issueDelegationToken(keys, lent);
    expect(payloadOf(token)).toMatchObject({
      iss: "governor",
      aud: "governor:delegation",
      sub: "u-42",
      act: { sub: "support" },
      scope: "orders:read refunds:write",
    });
    const claims = await verifyDelegationToken(keys, token, { agentId: "support" });
    expect(claims).toMatchObject({
      agentId: "support",
      userId: "u-42",
      scopes: ["orders:read", "refunds:write"],
    });
    expect(claims.jti).toMatch(/\S{8,}/);
    expect(claims.expiresAt.getTime() - claims.issuedAt.getTime()).toBe(15 * 60 * 1000);
  });

  it("give every token its own jti", async () => {
    const a = await verifyDelegationToken(keys, await issueDelegationToken(keys, lent));
    const b = await verifyDelegationToken(keys, await issueDelegationToken(keys, lent));
    expect(a.jti).not.toBe(b.jti);
  });

  it("are refused with IDENTITY_TOKEN_EXPIRED once expired", async () => {
    const token = await issueDelegationToken(keys, { ...lent, expiresIn: "5m" });
    const later = new Date(Date.now() + 6 * 60 * 1000);
    await expect(verifyDelegationToken(keys, token, { now: later })).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_EXPIRED",
    });
    const issuedLongAgo = await issueDelegationToken(keys, {
      ...lent,
      now: new Date(Date.now() - 3_600_000),
    });
    await expect(verifyDelegationToken(keys, issuedLongAgo)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_EXPIRED",
    });
  });

  it("are refused when signed with another secret", async () => {
    const other = hs256Keys("another-secret-that-is-also-long-enough-987");
    const token = await issueDelegationToken(other, lent);
    await expect(verifyDelegationToken(keys, token)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      details: { reason: "signature" },
    });
  });

  it('are refused unsigned (alg "none")', async () => {
    const genuine = await issueDelegationToken(keys, lent);
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${parts(genuine)[1]}.`;
    await expect(verifyDelegationToken(keys, unsigned)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
    });
  });

  it("are refused when the payload was altered after signing", async () => {
    const token = await issueDelegationToken(keys, { ...lent, scopes: ["orders:read"] });
    const [header, , signature] = parts(token);
    const widened = b64({ ...payloadOf(token), scope: "orders:read refunds:write" });
    await expect(verifyDelegationToken(keys, `${header}.${widened}.${signature}`)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      details: { reason: "signature" },
    });
  });

  it("are refused when presented by another agent", async () => {
    const token = await issueDelegationToken(keys, { ...lent, agentId: "agent-a" });
    await expect(verifyDelegationToken(keys, token, { agentId: "agent-b" })).rejects.toThrow(
      expect.objectContaining({
        code: "IDENTITY_TOKEN_INVALID",
        message: expect.stringMatching(/issued for agent "agent-a".*"agent-b"/),
      }),
    );
  });

  it("are refused for another audience: an approval decision is not a delegation", async () => {
    const decision = await signApprovalDecision(keys, {
      approver: "sam",
      decision: "approve",
      request: { threadId: "t1", node: "approve", requestId: "r1", callHash: "h1" },
    });
    await expect(verifyDelegationToken(keys, decision)).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      details: { reason: "audience" },
    });
  });

  it("are refused when malformed or signed without the delegation claims", async () => {
    await expect(verifyDelegationToken(keys, "not.a.jwt")).rejects.toMatchObject({
      code: "IDENTITY_TOKEN_INVALID",
      details: { reason: "malformed" },
    });
    const noActor = await new SignJWT({ scope: "orders:read" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("governor")
      .setAudience("governor:delegation")
      .setSubject("u-42")
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti("j-1")
      .sign(keys.verificationKey);
    await expect(verifyDelegationToken(keys, noActor)).rejects.toThrow(
      expect.objectContaining({ code: "IDENTITY_TOKEN_INVALID", message: expect.stringMatching(/act/) }),
    );
  });

  it("round-trip with EdDSA, verified with the public key alone", async () => {
    const pair = generateEd25519KeyPair();
    const token = await issueDelegationToken(eddsaKeys({ privateKey: pair.privateKey }), lent);
    const verifier = eddsaKeys({ publicKey: pair.publicKey });
    await expect(verifyDelegationToken(verifier, token, { agentId: "support" })).resolves.toMatchObject({
      userId: "u-42",
    });
    await expect(issueDelegationToken(verifier, lent)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it("refuse an HS256 token where EdDSA keys are expected, even one keyed with the public key", async () => {
    const pair = generateEd25519KeyPair();
    const verifier = eddsaKeys({ publicKey: pair.publicKey });
    const confused = await new SignJWT({ act: { sub: "support" }, scope: "refunds:write" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("governor")
      .setAudience("governor:delegation")
      .setSubject("u-42")
      .setIssuedAt()
      .setExpirationTime("5m")
      .setJti("j-2")
      .sign(new TextEncoder().encode(JSON.stringify(pair.publicKey)));
    await expect(verifyDelegationToken(verifier, confused)).rejects.toThrow(
      expect.objectContaining({
        code: "IDENTITY_TOKEN_INVALID",
        message: expect.stringMatching(/alg "HS256"/),
      }),
    );
  });

  it("are not issued without scopes, ids or a valid lifetime", async () => {
    await expect(issueDelegationToken(keys, { ...lent, scopes: [] })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    await expect(issueDelegationToken(keys, { ...lent, userId: "" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
    await expect(issueDelegationToken(keys, { ...lent, expiresIn: "soon" })).rejects.toMatchObject({
      code: "CONFIG_INVALID",
    });
  });
});
