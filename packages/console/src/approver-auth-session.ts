import { GovernorError } from "@governor/core";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { ConsoleContext, ConsoleRequest } from "./console-context.js";

/** The cookie the approver token is kept in after signing in: HttpOnly, so no page script reads it. */
export const APPROVER_COOKIE = "governor_approver";

/** How the console knows who decides. */
export type ApproverProof = "token" | "local-key";

/**
 * Whether decisions here need an approver token: always off loopback, and on loopback too
 * once tokens are configured (a console that has them never falls back to a typed name).
 */
export function tokensRequired(ctx: Pick<ConsoleContext, "loopback" | "options">): boolean {
  return !ctx.loopback || ctx.options.approverTokens !== undefined;
}

/**
 * Who decides this request, proved. With tokens, the approver is the subject of the token
 * this browser signed in with, and the form's approver field is ignored; without (loopback,
 * where the person at the machine holds the store's local key, as with `governor approve`),
 * the approver the form names, else the console's default.
 *
 * @throws {GovernorError} APPROVAL_INVALID when a token is needed and missing, expired or
 *   not valid, or when no approver is named at all.
 */
export async function provenApprover(
  ctx: Pick<ConsoleContext, "loopback" | "options">,
  c: ConsoleRequest,
  formApprover: string | undefined,
): Promise<{ readonly approver: string; readonly proof: ApproverProof }> {
  if (tokensRequired(ctx)) {
    const verifier = ctx.options.approverTokens;
    if (!verifier) {
      // consoleSettingsOf refuses this at start; checked again so a decision never goes unproved.
      throw new GovernorError(
        "APPROVAL_INVALID",
        "Off loopback every decision needs an approver token, and this console has no approver tokens configured",
        {},
      );
    }
    const token = getCookie(c, APPROVER_COOKIE);
    if (!token) {
      throw new GovernorError(
        "APPROVAL_INVALID",
        "Sign in with your approver token (/login) before deciding: this console decides only as a proved approver",
        {},
      );
    }
    const { approver } = await verifier.verify(token);
    return { approver, proof: "token" };
  }
  const approver = formApprover ?? ctx.options.defaultApprover?.trim();
  if (!approver) {
    throw new GovernorError(
      "APPROVAL_INVALID",
      "Name who decides (the approver field): the console has no default approver",
      {},
    );
  }
  return { approver, proof: "local-key" };
}

/**
 * Who this browser decides as, for the page to say so; undefined when it is not signed in
 * (or its token no longer holds). Never throws: a page shows, a decision is what is refused.
 */
export async function signedInApprover(
  ctx: Pick<ConsoleContext, "options">,
  c: ConsoleRequest,
): Promise<string | undefined> {
  const token = getCookie(c, APPROVER_COOKIE);
  if (!token || !ctx.options.approverTokens) return undefined;
  try {
    return (await ctx.options.approverTokens.verify(token)).approver;
  } catch {
    return undefined;
  }
}

/** Keeps a verified token for this browser's later decisions. */
export function keepApproverToken(c: ConsoleRequest, token: string): void {
  // A session cookie: the token's own expiry (≤ 12 h) is checked at every decision.
  setCookie(c, APPROVER_COOKIE, token, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure: new URL(c.req.url).protocol === "https:",
  });
}

/** Signs this browser out. */
export function forgetApproverToken(c: ConsoleRequest): void {
  deleteCookie(c, APPROVER_COOKIE, { path: "/" });
}
