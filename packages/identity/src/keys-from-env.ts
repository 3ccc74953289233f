import type { JsonWebKey } from "node:crypto";
import { GovernorError } from "@governor/errors";
import { eddsaKeys, hs256Keys, type TokenKeys } from "./token-keys.js";

export const TOKEN_ENV = {
  secret: "GOVERNOR_TOKEN_SECRET",
  publicJwk: "GOVERNOR_TOKEN_PUBLIC_JWK",
  privateJwk: "GOVERNOR_TOKEN_PRIVATE_JWK",
} as const;

/**
 * Token keys from the environment: `GOVERNOR_TOKEN_SECRET` for HS256, or
 * `GOVERNOR_TOKEN_PUBLIC_JWK` and/or `GOVERNOR_TOKEN_PRIVATE_JWK` (JSON JWKs) for EdDSA.
 *
 * Setting both kinds is refused rather than resolved by precedence: which key signs a token
 * must never depend on an ordering rule nobody remembers.
 *
 * @throws {GovernorError} CONFIG_INVALID when none or both kinds are set, a JWK is not JSON,
 * or a key is invalid (see `hs256Keys`, `eddsaKeys`).
 * @example const keys = keysFromEnv(process.env);
 */
export function keysFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): TokenKeys {
  const secret = nonEmpty(env[TOKEN_ENV.secret]);
  const publicJwk = nonEmpty(env[TOKEN_ENV.publicJwk]);
  const privateJwk = nonEmpty(env[TOKEN_ENV.privateJwk]);
  const hasJwk = publicJwk !== undefined || privateJwk !== undefined;
  if (secret !== undefined && hasJwk) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Both ${TOKEN_ENV.secret} (HS256) and an Ed25519 JWK (EdDSA) are set; set only one kind of token key`,
      {},
    );
  }
  if (secret !== undefined) return hs256Keys(secret);
  if (!hasJwk) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `No token keys configured: set ${TOKEN_ENV.secret} (HS256, ≥ 32 bytes) or ${TOKEN_ENV.publicJwk} / ${TOKEN_ENV.privateJwk} (Ed25519 JWK as JSON)`,
      {},
    );
  }
  return eddsaKeys({
    publicKey: publicJwk === undefined ? undefined : parseJwk(TOKEN_ENV.publicJwk, publicJwk),
    privateKey: privateJwk === undefined ? undefined : parseJwk(TOKEN_ENV.privateJwk, privateJwk),
  });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

function parseJwk(variable: string, text: string): JsonWebKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `${variable} is not valid JSON: ${(cause as Error).message}`,
      { variable },
      { cause },
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new GovernorError("CONFIG_INVALID", `${variable} must be a JWK object`, { variable });
  }
  return value as JsonWebKey;
}
