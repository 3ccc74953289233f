import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import type { ConsoleSecrets } from "./console-secrets.js";

/** The cookie holding this browser's CSRF nonce: HttpOnly so page script (or an injection) never reads it. */
export const CSRF_COOKIE = "governor_csrf";
const NONCE = /^[A-Za-z0-9_-]{43}$/;

/**
 * This browser's nonce, set as a cookie when it has none (or a malformed one). The form token
 * is the nonce's HMAC under the process key, so a page on another origin, which can neither
 * read the cookie nor compute the HMAC, cannot produce a token that matches (double-submit
 * with a keyed token: a cookie planted by a sibling subdomain still lacks the key).
 */
export function csrfNonceOf(c: Context): string {
  const existing = getCookie(c, CSRF_COOKIE);
  if (existing && NONCE.test(existing)) return existing;
  const nonce = randomBytes(32).toString("base64url");
  setCookie(c, CSRF_COOKIE, nonce, { httpOnly: true, sameSite: "Strict", path: "/" });
  return nonce;
}

/** The token a form carries for this nonce. */
export function csrfTokenFor(secrets: ConsoleSecrets, nonce: string): string {
  return createHmac("sha256", secrets.csrfKey).update(`csrf:${nonce}`).digest("base64url");
}

/** Whether `token` is the one this nonce's forms carry (constant time). */
export function csrfTokenMatches(
  secrets: ConsoleSecrets,
  nonce: string | undefined,
  token: unknown,
): boolean {
  if (!nonce || !NONCE.test(nonce) || typeof token !== "string") return false;
  const expected = Buffer.from(csrfTokenFor(secrets, nonce));
  const given = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
