// H1b replaces this: a stub so the server can mount the approvals routes before they land.
import { Hono } from "hono";
import { html } from "hono/html";
import type { ConsoleContext, ConsoleEnv } from "../console-context.js";

/** The approvals inbox (GET /approvals) and its decisions (POST /approvals/:thread/decide, /budgets/:thread/decide). */
export function approvalRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get("/approvals", (c) => ctx.layout(c, "Approvals", html`<p>The approvals inbox is not built yet.</p>`));
  return app;
}
