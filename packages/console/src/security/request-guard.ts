import type { GovernorRuntime } from "@governor/core";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { html } from "hono/html";
import type { ConsoleEnv } from "../console-context.js";
import type { ConsoleSecrets } from "./console-secrets.js";
import { CSRF_COOKIE, csrfNonceOf, csrfTokenMatches } from "./csrf.js";
import { auditRefusedPost } from "./refusal-audit.js";

export interface RequestGuardOptions {
  readonly runtime: GovernorRuntime;
  readonly secrets: ConsoleSecrets;
  /** The Host values this console answers (see allowedHosts). */
  readonly hosts: () => ReadonlySet<string>;
}

/**
 * Refuses, before any route runs: a request whose Host is not the console's (DNS rebinding),
 * and a POST that is not provably from the console's own pages: it must come from the same
 * origin (Origin, or Sec-Fetch-Site when a browser sends no Origin) AND carry the CSRF token
 * for this browser's cookie. Both, because either alone has gaps (old browsers, a same-site
 * sibling that can plant cookies). Refusals answer 403 and do nothing else but audit.
 */
export function requestGuard(options: RequestGuardOptions): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const host = hostOf(c);
    if (!host || !options.hosts().has(host)) {
      return refuse(c, `the Host header ${host ? `"${host}"` : "(none)"} is not this console's address`);
    }
    c.set("csrfNonce", csrfNonceOf(c));
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    if (c.req.method !== "POST") return refuse(c, `method ${c.req.method} is not accepted`, 405);
    const why = await postRefusal(c, host, options.secrets);
    if (why) {
      await auditRefusedPost(options.runtime, c.req.path, why, {
        ...(c.req.header("origin") !== undefined ? { origin: c.req.header("origin") } : {}),
        host,
      });
      return refuse(c, why);
    }
    return next();
  };
}

/** Why this POST is not the console's own, or undefined when it is. */
async function postRefusal(
  c: Context<ConsoleEnv>,
  host: string,
  secrets: ConsoleSecrets,
): Promise<string | undefined> {
  const origin = c.req.header("origin");
  if (origin !== undefined && origin !== "null") {
    if (origin.toLowerCase() !== `http://${host}`) return `the request came from another origin (${origin})`;
  } else if (c.req.header("sec-fetch-site") !== "same-origin") {
    // Under Referrer-Policy: no-referrer a browser sends `Origin: null` even for the console's
    // own forms (as it does for a sandboxed frame elsewhere); then only Sec-Fetch-Site, which
    // no page can set, tells them apart. Neither header vouching: refuse.
    return `the request does not say it came from this console (Origin ${origin ?? "absent"}, and Sec-Fetch-Site is not same-origin)`;
  }
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
    return "the request is not a form submission";
  }
  let token: unknown;
  try {
    token = (await c.req.parseBody({ all: true })).csrf;
  } catch {
    return "the form could not be read";
  }
  if (token === undefined) return "the form carries no CSRF token (reload the page and try again)";
  if (!csrfTokenMatches(secrets, getCookie(c, CSRF_COOKIE), token)) {
    return "the form's CSRF token does not match this browser's (reload the page and try again)";
  }
  return undefined;
}

/** The Host the request was sent to, lowercased: the header (the URL's host when a test builds the request). */
function hostOf(c: Context): string | undefined {
  const header = c.req.header("host");
  if (header !== undefined) return header.toLowerCase();
  try {
    return new URL(c.req.url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

async function refuse(c: Context, why: string, status: 403 | 405 = 403): Promise<Response> {
  c.header("Cache-Control", "no-store");
  return c.html(
    html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Refused · Governor console</title></head><body><h1>Refused</h1><p data-testid="refusal">${why}. Nothing was done.</p><p><a href="/runs">Back to the console</a></p></body></html>`,
    status,
  );
}
