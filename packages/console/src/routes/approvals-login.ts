import { GovernorError } from "@governor/core";
import { Hono } from "hono";
import { html } from "hono/html";
import { forgetApproverToken, keepApproverToken, signedInApprover } from "../approver-auth-session.js";
import type { ConsoleContext, ConsoleEnv } from "../console-context.js";

/**
 * Signing in with an approver token: GET /login shows the form, POST /login checks the token
 * once and keeps it in an HttpOnly, SameSite=Strict cookie (a page script, injected or not,
 * never reads it back), POST /logout forgets it. The token is never written into a page.
 */
export function loginRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/login", async (c) => {
    if (!ctx.options.approverTokens) {
      return ctx.layout(
        c,
        "Sign in",
        html`<p data-testid="login-not-needed">This console runs on loopback without approver tokens: decisions are signed with this store's local approver key, as <code>governor approve</code> does, so there is nothing to sign in to.</p>`,
      );
    }
    const current = await signedInApprover(ctx, c);
    return ctx.layout(
      c,
      "Sign in",
      html`${current ? html`<p data-testid="deciding-as">Deciding as <strong>${current}</strong>.</p><form method="post" action="/logout">${ctx.csrfField(c)}<button type="submit" data-testid="logout">Sign out</button></form>` : ""}
<form method="post" action="/login" data-testid="login-form">
${ctx.csrfField(c)}
<label>Approver token <input type="password" name="token" autocomplete="off" required></label>
<button type="submit" data-testid="login">Sign in</button>
</form>`,
    );
  });

  app.post("/login", async (c) => {
    const verifier = ctx.options.approverTokens;
    if (!verifier) {
      return ctx.redirectWithFlash(c, "/login", {
        kind: "error",
        message: "This console has no approver tokens: nothing to sign in to",
      });
    }
    const token = (await c.req.parseBody({ all: true })).token;
    if (typeof token !== "string" || !token.trim()) {
      return ctx.redirectWithFlash(c, "/login", {
        kind: "error",
        message: "Paste your approver token to sign in",
      });
    }
    try {
      const { approver } = await verifier.verify(token.trim());
      keepApproverToken(c, token.trim());
      return ctx.redirectWithFlash(c, "/approvals", {
        kind: "ok",
        message: `Signed in: deciding as ${approver}`,
      });
    } catch (error) {
      const message = error instanceof GovernorError ? error.message : "the token could not be checked";
      forgetApproverToken(c);
      return ctx.redirectWithFlash(c, "/login", { kind: "error", message: `Not signed in: ${message}` });
    }
  });

  app.post("/logout", (c) => {
    forgetApproverToken(c);
    return ctx.redirectWithFlash(c, "/login", { kind: "ok", message: "Signed out" });
  });

  return app;
}
