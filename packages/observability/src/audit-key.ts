import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { GovernorError } from "@governor/errors";

/** Seals are HMAC-SHA256: a key shorter than the hash's output would be the weak link. */
const MIN_KEY_BYTES = 32;

/**
 * The secret that seals audit records and their head (HMAC-SHA256).
 *
 * A seal proves that whoever wrote the record held this key. The hash chain alone cannot:
 * its algorithm is public, so anyone who can write the journal can recompute every hash.
 * The same key verifies and seals, so it must stay out of reach of whoever the journal is
 * meant to hold to account (see `AUDIT_GUARANTEE`).
 *
 * Why HMAC and not a signature: a seal per append must cost microseconds (an HMAC is ~2 µs,
 * an Ed25519 signature ~35 µs on the hot path). Signing only the head with Ed25519 would let
 * holders of the public key check the chain up to the head without being able to forge it;
 * that is a possible next step, not what this class does.
 */
export class AuditKey {
  readonly #secret: Buffer;
  /** A short public fingerprint, so a verifier can tell "another key" from "a forged seal". */
  readonly id: string;

  /** @throws {GovernorError} CONFIG_INVALID when the secret is shorter than 32 bytes. */
  constructor(secret: Uint8Array, source = "the audit key") {
    if (secret.byteLength < MIN_KEY_BYTES) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `${source} is ${secret.byteLength} bytes; an audit key needs at least ${MIN_KEY_BYTES}`,
        { source },
      );
    }
    this.#secret = Buffer.from(secret);
    this.id = this.#mac("governor-audit-key-id", "").slice(0, 16);
  }

  /** A key that lives as long as the process: for journals in memory, which die with it. */
  static ephemeral(): AuditKey {
    return new AuditKey(randomBytes(32), "an ephemeral audit key");
  }

  /** The seal of one record, over its chain hash (which covers every field and the previous hash). */
  sealRecord(hash: string): string {
    return this.#mac("governor-audit-record-v1", hash);
  }

  /** The seal of a head: how many records the chain had, and the hash of the last. */
  sealHead(records: number, hash: string): string {
    return this.#mac("governor-audit-head-v1", `${records}\n${hash}`);
  }

  /**
   * A keyed digest of a value the journal keeps masked (an e-mail, a card number). A plain
   * SHA-256 of a card number can be guessed back from its last four digits and issuer prefix
   * in a million tries; without this key it cannot. Whoever holds the key can still check a
   * real value against the record, so the record proves what ran.
   */
  valueDigest(text: string): string {
    return this.#mac("governor-audit-value-v1", text);
  }

  /** Constant-time comparison of a stored seal with the one this key computes. */
  matches(expected: string, stored: string | undefined): boolean {
    if (typeof stored !== "string" || stored.length !== expected.length) return false;
    return timingSafeEqual(Buffer.from(expected), Buffer.from(stored));
  }

  // Each use has its own label, so a record's seal can never pass as a head's, or the reverse.
  #mac(label: string, text: string): string {
    return createHmac("sha256", this.#secret).update(`${label}\n${text}`).digest("hex");
  }
}
