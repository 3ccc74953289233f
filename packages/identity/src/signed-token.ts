import { randomUUID } from "node:crypto";
import { formatIssues } from "@governor/errors";
import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { durationSeconds } from "./duration.js";
import { fromJoseError, tokenRefused } from "./token-errors.js";
import { requireSigningKey, type TokenKeys } from "./token-keys.js";

/** The `iss` of every token Governor signs; a token from any other issuer is refused. */
export const TOKEN_ISSUER = "governor";

/** The registered claims every Governor token carries; each kind extends this with its own. */
export const registeredClaims = z.object({
  sub: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1),
});

export interface SignTokenOptions {
  /** Tells verifiers which kind of token this is; each kind has its own audience. */
  readonly audience: string;
  readonly subject: string;
  readonly claims: Readonly<Record<string, unknown>>;
  readonly expiresIn: string | number;
  readonly now?: Date;
  /** The option name `expiresIn` is reported under when it is invalid. */
  readonly label: string;
}

/** Signs a JWT with Governor's registered claims (iss, aud, sub, iat, exp, jti) around `claims`. */
export async function signToken(keys: TokenKeys, options: SignTokenOptions): Promise<string> {
  const lifetime = durationSeconds(options.expiresIn, options.label);
  const signingKey = requireSigningKey(keys);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: keys.algorithm, typ: "JWT" })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(options.audience)
    .setSubject(options.subject)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .setJti(randomUUID())
    .sign(signingKey);
}

export interface VerifyTokenOptions<TClaims> {
  readonly audience: string;
  /** How the token is named in refusals, e.g. "delegation". */
  readonly kind: string;
  /** The shape the verified payload must have; a signed payload of another shape is refused too. */
  readonly claims: z.ZodType<TClaims>;
  readonly now?: Date;
  /** Allowed clock skew, in seconds or as "30s". */
  readonly clockTolerance?: string | number;
}

/**
 * Verifies signature, algorithm, issuer, audience and expiry, then the payload's shape.
 *
 * The accepted algorithm is the keys' own, never the token header's, so `alg: none` and
 * HS256-signed-with-the-public-key forgeries are refused.
 *
 * @throws {GovernorError} IDENTITY_TOKEN_EXPIRED or IDENTITY_TOKEN_INVALID.
 */
export async function verifyToken<TClaims>(
  keys: TokenKeys,
  token: unknown,
  options: VerifyTokenOptions<TClaims>,
): Promise<TClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token as string, keys.verificationKey, {
      algorithms: [keys.algorithm],
      issuer: TOKEN_ISSUER,
      audience: options.audience,
      requiredClaims: ["sub", "iat", "exp", "jti"],
      currentDate: options.now,
      clockTolerance: options.clockTolerance,
    }));
  } catch (error) {
    throw fromJoseError(error, options.kind, token, keys);
  }
  const parsed = options.claims.safeParse(payload);
  if (!parsed.success) {
    throw tokenRefused(options.kind, "claims", formatIssues(parsed.error.issues, "payload"));
  }
  return parsed.data;
}
