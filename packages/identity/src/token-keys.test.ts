import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { issueDelegationToken, verifyDelegationToken } from "./delegation-token.js";
import { keysFromEnv } from "./keys-from-env.js";
import { eddsaKeys, generateEd25519KeyPair, hs256Keys } from "./token-keys.js";

const secret = "a-test-secret-that-is-long-enough-0123456789";
const lent = { agentId: "support", userId: "u-42", scopes: ["orders:read"] };

describe("token keys", () => {
  it("refuse an HS256 secret shorter than 32 bytes", () => {
    expect(() => hs256Keys("short")).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(() => hs256Keys(new Uint8Array(31))).toThrow(/31 bytes/);
    expect(hs256Keys(new Uint8Array(32)).algorithm).toBe("HS256");
  });

  it("accept Ed25519 KeyObjects and refuse other key types", async () => {
    const pair = generateKeyPairSync("ed25519");
    const token = await issueDelegationToken(eddsaKeys({ privateKey: pair.privateKey }), lent);
    await expect(
      verifyDelegationToken(eddsaKeys({ publicKey: pair.publicKey }), token),
    ).resolves.toMatchObject({
      userId: "u-42",
    });
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(() => eddsaKeys({ publicKey: rsa.publicKey })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
    expect(() => eddsaKeys({ publicKey: pair.privateKey })).toThrow(/public key/);
  });

  it("refuse a public key that does not match the private key", () => {
    const a = generateEd25519KeyPair();
    const b = generateEd25519KeyPair();
    expect(() => eddsaKeys({ privateKey: a.privateKey, publicKey: b.publicKey })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/does not belong/) }),
    );
  });
});

describe("keysFromEnv", () => {
  it("reads an HS256 secret", async () => {
    const keys = keysFromEnv({ GOVERNOR_TOKEN_SECRET: secret });
    expect(keys.algorithm).toBe("HS256");
    const token = await issueDelegationToken(keys, lent);
    await expect(verifyDelegationToken(hs256Keys(secret), token)).resolves.toMatchObject({ userId: "u-42" });
  });

  it("reads Ed25519 JWKs; a public JWK alone verifies but cannot sign", async () => {
    const pair = generateEd25519KeyPair();
    const signer = keysFromEnv({ GOVERNOR_TOKEN_PRIVATE_JWK: JSON.stringify(pair.privateKey) });
    const verifier = keysFromEnv({ GOVERNOR_TOKEN_PUBLIC_JWK: JSON.stringify(pair.publicKey) });
    expect(verifier.algorithm).toBe("EdDSA");
    const token = await issueDelegationToken(signer, lent);
    await expect(verifyDelegationToken(verifier, token)).resolves.toMatchObject({ agentId: "support" });
    await expect(issueDelegationToken(verifier, lent)).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });

  it.each([
    ["nothing is set", {}, /No token keys configured/],
    ["the secret is too short", { GOVERNOR_TOKEN_SECRET: "short" }, /at least 32/],
    [
      "a JWK is not JSON",
      { GOVERNOR_TOKEN_PUBLIC_JWK: "{oops" },
      /GOVERNOR_TOKEN_PUBLIC_JWK is not valid JSON/,
    ],
    [
      "a JWK is not an object",
      { GOVERNOR_TOKEN_PRIVATE_JWK: "[1]" },
      /GOVERNOR_TOKEN_PRIVATE_JWK must be a JWK/,
    ],
    ["a JWK is not a key", { GOVERNOR_TOKEN_PUBLIC_JWK: '{"kty":"OKP"}' }, /public JWK cannot be read/],
    [
      "both kinds are set",
      { GOVERNOR_TOKEN_SECRET: secret, GOVERNOR_TOKEN_PUBLIC_JWK: "{}" },
      /only one kind/,
    ],
  ])("refuses with CONFIG_INVALID when %s", (_name, env, message) => {
    expect(() => keysFromEnv(env)).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(message) }),
    );
  });

  it("refuses a private key put in the public variable", () => {
    const pair = generateEd25519KeyPair();
    expect(() => keysFromEnv({ GOVERNOR_TOKEN_PUBLIC_JWK: JSON.stringify(pair.privateKey) })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/private part/) }),
    );
  });
});
