import { type DecisionAttempt, GovernorError } from "@governor/core";
import { Hono } from "hono";
import { provenApprover, signedInApprover, tokensRequired } from "../approver-auth-session.js";
import type { ConsoleContext, ConsoleEnv, ConsoleRequest } from "../console-context.js";
import { decideApproval } from "../decide-approval.js";
import { decideBudget } from "../decide-budget.js";
import { type FormBody, parseApprovalForm, parseBudgetForm } from "../decide-form.js";
import { type DecisionResult, refuseDecision } from "../decide-result.js";
import { readInbox } from "./approvals-inbox.js";
import { loginRoutes } from "./approvals-login.js";
import { type DecidingAs, renderInbox } from "./approvals-page.js";

/**
 * The approvals inbox (GET /approvals), its decisions (POST /approvals/:thread/decide and
 * /budgets/:thread/decide) and approver sign-in (/login, /logout). A decision answers 303:
 * to the run's page when it was made, back to the inbox when it was refused, the outcome in
 * the flash either way.
 */
export function approvalRoutes(ctx: ConsoleContext): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/approvals", async (c) => {
    const inbox = await readInbox(ctx.options);
    const decidingAs: DecidingAs = tokensRequired(ctx)
      ? { proof: "token", approver: await signedInApprover(ctx, c) }
      : { proof: "local-key", defaultApprover: ctx.options.defaultApprover };
    return ctx.layout(c, "Approvals", renderInbox({ inbox, decidingAs, csrf: ctx.csrfField(c) }));
  });

  app.post("/approvals/:thread/decide", (c) =>
    decideFromForm(ctx, c, "approval", async (body, threadId) => {
      const form = parseApprovalForm(body);
      const proved = await proveFor(ctx, c, form.approver, { kind: "approval", threadId, ...form });
      return "refused" in proved
        ? proved.refused
        : decideApproval(ctx.options, threadId, form, proved.approver);
    }),
  );

  app.post("/budgets/:thread/decide", (c) =>
    decideFromForm(ctx, c, "budget", async (body, threadId) => {
      const form = parseBudgetForm(body);
      const attempt = {
        kind: "budget" as const,
        threadId,
        requestId: form.requestId,
        decision: form.decision,
      };
      const proved = await proveFor(ctx, c, form.approver, { ...attempt, approver: form.approver });
      return "refused" in proved
        ? proved.refused
        : decideBudget(ctx.options, threadId, form, proved.approver);
    }),
  );

  app.route("/", loginRoutes(ctx));
  return app;
}

/**
 * Reads the form, runs `decide`, and answers 303 with the outcome as the flash. A form that
 * cannot be read, or an approver who cannot be proved, is refused and audited like any other
 * refusal: nothing is signed.
 */
async function decideFromForm(
  ctx: ConsoleContext,
  c: ConsoleRequest,
  kind: DecisionAttempt["kind"],
  decide: (body: FormBody, threadId: string) => Promise<DecisionResult>,
) {
  const threadId = c.req.param("thread") ?? "";
  let result: DecisionResult;
  try {
    result = await decide(await c.req.parseBody({ all: true }), threadId);
  } catch (error) {
    if (!(error instanceof GovernorError)) throw error;
    result = await refuseDecision(ctx.runtime, { kind, threadId }, error);
  }
  const location = result.ok ? `/runs/${encodeURIComponent(threadId)}` : "/approvals";
  return ctx.redirectWithFlash(c, location, { kind: result.ok ? "ok" : "error", message: result.message });
}

/** The proved approver, or the refusal (audited under the attempt) when nobody could be proved. */
async function proveFor(
  ctx: ConsoleContext,
  c: ConsoleRequest,
  formApprover: string | undefined,
  attempt: DecisionAttempt,
): Promise<{ readonly approver: string } | { readonly refused: DecisionResult }> {
  try {
    return await provenApprover(ctx, c, formApprover);
  } catch (error) {
    // With tokens the form's approver field proves nothing, so it is not recorded as who tried.
    const tried = tokensRequired(ctx) ? { ...attempt, approver: undefined } : attempt;
    if (!(error instanceof GovernorError)) throw error;
    return { refused: await refuseDecision(ctx.runtime, tried, error) };
  }
}
