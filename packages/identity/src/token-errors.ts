import { GovernorError } from "@governor/errors";
import { decodeProtectedHeader, errors } from "jose";

/** Why a token was refused, for programs; the message says it for people. */
export type TokenRefusal =
  | "expired"
  | "signature"
  | "algorithm"
  | "audience"
  | "issuer"
  | "claims"
  | "malformed"
  | "agent";

/** A refused token: IDENTITY_TOKEN_EXPIRED for an expired one, IDENTITY_TOKEN_INVALID for every other reason. */
export function tokenRefused(
  kind: string,
  reason: TokenRefusal,
  message: string,
  cause?: unknown,
): GovernorError {
  const code = reason === "expired" ? "IDENTITY_TOKEN_EXPIRED" : "IDENTITY_TOKEN_INVALID";
  return new GovernorError(code, `The ${kind} token was refused: ${message}`, { kind, reason }, { cause });
}

/**
 * Translates what jose threw while verifying into a GovernorError that names the reason.
 *
 * Anything else thrown during verification is also a refusal: verification fails closed.
 */
export function fromJoseError(
  error: unknown,
  kind: string,
  token: unknown,
  expected: { algorithm: string },
): GovernorError {
  if (error instanceof errors.JWTExpired) {
    const exp = error.payload.exp;
    const when = typeof exp === "number" ? ` at ${new Date(exp * 1000).toISOString()}` : "";
    return tokenRefused(kind, "expired", `it expired${when}`, error);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const value = error.payload[error.claim];
    if (error.reason === "missing")
      return tokenRefused(kind, "claims", `it lacks the "${error.claim}" claim`, error);
    if (error.claim === "aud") {
      return tokenRefused(kind, "audience", `it is for audience ${JSON.stringify(value)}`, error);
    }
    if (error.claim === "iss")
      return tokenRefused(kind, "issuer", `it was issued by ${JSON.stringify(value)}`, error);
    return tokenRefused(kind, "claims", `claim "${error.claim}": ${error.message}`, error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return tokenRefused(
      kind,
      "signature",
      "its signature does not verify (signed with another key, or altered)",
      error,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return tokenRefused(
      kind,
      "algorithm",
      `it is signed with alg ${JSON.stringify(headerAlg(token))}; these keys accept only ${expected.algorithm}`,
      error,
    );
  }
  const detail = error instanceof Error ? error.message : String(error);
  return tokenRefused(kind, "malformed", `it is not a well-formed signed JWT (${detail})`, error);
}

function headerAlg(token: unknown): unknown {
  try {
    return typeof token === "string" ? decodeProtectedHeader(token).alg : undefined;
  } catch {
    return undefined;
  }
}
