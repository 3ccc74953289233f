import { randomBytes } from "node:crypto";

/**
 * Keys the console holds for its own process only. A fresh random key per start means a CSRF
 * token or a flash cookie from an earlier console (or another one on the same machine) is
 * worthless; nothing here is ever written to a page, a log or the store.
 */
export interface ConsoleSecrets {
  /** HMAC key for CSRF tokens and signed flash cookies. */
  readonly csrfKey: Buffer;
}

/** Secrets for one console process: 32 random bytes. */
export function newConsoleSecrets(): ConsoleSecrets {
  return { csrfKey: randomBytes(32) };
}
