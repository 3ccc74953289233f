import { GovernorError } from "@governor/errors";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { html } from "hono/html";
import type { ConsoleContext, ConsoleEnv } from "./console-context.js";
import type { ConsoleOptions } from "./console-options.js";
import { consoleSettingsOf } from "./console-settings.js";
import { setFlash, takeFlash } from "./flash.js";
import { displayLocation, renderLayout } from "./pages/layout.js";
import { approvalRoutes } from "./routes/approvals.js";
import { auditRoutes } from "./routes/audit.js";
import { controlRoutes } from "./routes/controls.js";
import { eventRoutes } from "./routes/events.js";
import { graphRoutes } from "./routes/graphs.js";
import { runRoutes } from "./routes/runs.js";
import { staticRoutes } from "./routes/static.js";
import { allowedHosts } from "./security/allowed-hosts.js";
import { type ConsoleSecrets, newConsoleSecrets } from "./security/console-secrets.js";
import { csrfTokenFor } from "./security/csrf.js";
import { requestGuard } from "./security/request-guard.js";
import { securityHeaders } from "./security/security-headers.js";

export interface ConsoleAppLifecycle {
  /** Aborted when the console stops: every live stream ends then. */
  readonly signal?: AbortSignal;
}

/**
 * The console as a Hono app, without a socket: `app.request(...)` drives it in tests, and
 * `startConsole` serves it. The Host check uses `options.host` and `options.port`, so a test
 * sends requests to `http://127.0.0.1:<port>/…`.
 *
 * @example
 * const app = createConsoleApp({ runtime, workflows, workflowFor, port: 4321 });
 * const page = await app.request("http://127.0.0.1:4321/runs");
 *
 * @throws {GovernorError} CONFIG_INVALID for a bad host, port or pollMs, or a non-loopback
 *   host without allowRemote and approverTokens.
 */
export function createConsoleApp(
  options: ConsoleOptions,
  secrets: ConsoleSecrets = newConsoleSecrets(),
  lifecycle: ConsoleAppLifecycle = {},
): Hono<ConsoleEnv> {
  const settings = consoleSettingsOf(options);
  const hosts = allowedHosts(settings.host, settings.port);
  const runtime = options.runtime;
  const ctx: ConsoleContext = {
    options,
    runtime,
    loopback: settings.loopback,
    csrfField: (c) =>
      html`<input type="hidden" name="csrf" value="${csrfTokenFor(secrets, c.get("csrfNonce"))}">`,
    flash: (c) => takeFlash(c, secrets),
    async layout(c, title, body, status = 200) {
      const page = renderLayout({
        title,
        body,
        flash: await takeFlash(c, secrets),
        waiting: await runtime.store.runs.count({ status: "waiting" }),
        store: displayLocation(runtime.store.location),
        path: c.req.path,
      });
      return c.html(page, status);
    },
    async redirectWithFlash(c, location, flash) {
      await setFlash(c, secrets, flash);
      return c.redirect(location, 303);
    },
  };

  const app = new Hono<ConsoleEnv>();
  app.use(securityHeaders());
  // The size limit comes before the guard, which reads the form to check its CSRF token.
  app.use(bodyLimit({ maxSize: 256 * 1024, onError: (c) => c.text("The form is larger than 256 KB", 413) }));
  app.use(requestGuard({ runtime, secrets, hosts: () => hosts }));
  app.get("/", (c) => c.redirect("/runs", 303));
  app.route("/", staticRoutes());
  app.route("/", runRoutes(ctx));
  app.route("/", eventRoutes(ctx, settings.pollMs, lifecycle.signal));
  app.route("/", graphRoutes(ctx));
  app.route("/", auditRoutes(ctx));
  app.route("/", controlRoutes(ctx));
  app.route("/", approvalRoutes(ctx));
  app.notFound((c) => ctx.layout(c, "Not found", html`<p>There is no page at ${c.req.path}.</p>`, 404));
  app.onError((error, c) => {
    if (error instanceof GovernorError) {
      const status = error.code === "RUN_NOT_FOUND" ? 404 : error.code === "CONFIG_INVALID" ? 400 : 500;
      return ctx.layout(
        c,
        "Error",
        html`<p class="error" data-testid="error">${error.code}: ${error.message}</p>`,
        status,
      );
    }
    // An unexpected failure: its message may hold internals (paths, SQL), so the page says only that it failed.
    console.error(error);
    return ctx.layout(
      c,
      "Error",
      html`<p class="error" data-testid="error">The console failed to answer this request; see its terminal.</p>`,
      500,
    );
  });
  return app;
}
