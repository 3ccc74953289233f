import type { GovernorRuntime } from "@governor/core";
import type { Context } from "hono";
import type { HtmlEscapedString } from "hono/utils/html";
import type { ConsoleOptions } from "./console-options.js";

/** What a page fragment is: hono/html's escaped string, possibly still being rendered. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** The outcome of a POST, shown once on the page it redirects to (`[data-testid="flash"]`). */
export interface Flash {
  readonly kind: "ok" | "error";
  readonly message: string;
}

/** The Hono environment every console route shares (set by the security middleware). */
export interface ConsoleEnv {
  Variables: {
    /** This browser's CSRF nonce (from its HttpOnly cookie); the form token is its HMAC. */
    csrfNonce: string;
  };
}

export type ConsoleRequest = Context<ConsoleEnv>;

/**
 * What every route module gets from the console server: the options, and the helpers that
 * keep pages and forms consistent (one layout, one CSRF field, one flash channel), so a route
 * never handles the CSRF secret or builds its own page shell.
 */
export interface ConsoleContext {
  readonly options: ConsoleOptions;
  readonly runtime: GovernorRuntime;
  /** True when the console is bound to a loopback address (the local approver key may decide). */
  readonly loopback: boolean;
  /** The hidden `<input name="csrf">` every POST form must carry. */
  csrfField(c: ConsoleRequest): Html;
  /** A whole page: navigation, the pending flash (read once), then `body`. */
  layout(
    c: ConsoleRequest,
    title: string,
    body: Html,
    status?: 200 | 400 | 403 | 404 | 500,
  ): Promise<Response>;
  /** The flash a previous POST left for this browser, consumed by reading it. */
  flash(c: ConsoleRequest): Promise<Flash | undefined>;
  /** Answers a POST: 303 to `location`, leaving `flash` for that page (signed, so no other site can forge one). */
  redirectWithFlash(c: ConsoleRequest, location: string, flash: Flash): Promise<Response>;
}
