/**
 * Another process starting a billing-desk run for a user, for the daily-budget test: it opens
 * the store in `dir` with its own runtime and a clock fixed at `at`, starts one run with the
 * given daily budget, and prints what happened as JSON. Runs against the build (npm test
 * builds first), as a second deployed process would.
 *
 * argv: <store dir> <ISO time> <user id> <daily budget in USD>
 */
import { GovernorError, GovernorRuntime } from "@governor/core";
import { agentPrincipal, delegatedPrincipal } from "@governor/identity";
import { billingDesk, deskModel, newEffects } from "./billing-desk.js";

const [dir = "", at = "", user = "", daily = ""] = process.argv.slice(2);
const clock = Date.parse(at);
const effects = newEffects();
const runtime = new GovernorRuntime({ dir, now: () => clock });
try {
  const outcome = await runtime.start(
    billingDesk({ effects }),
    { request: "Charge acct-1 $5 for the late fee" },
    {
      model: deskModel("strong", effects),
      principal: delegatedPrincipal(agentPrincipal("billing", ["billing:write"]), user, ["billing:write"]),
      budget: { dailyCostUsdPerPrincipal: Number(daily) },
    },
  );
  process.stdout.write(`${JSON.stringify({ status: outcome.status, charges: effects.charges.length })}\n`);
} catch (error) {
  if (!(error instanceof GovernorError)) throw error;
  process.stdout.write(
    `${JSON.stringify({ code: error.code, message: error.message, charges: effects.charges.length })}\n`,
  );
} finally {
  runtime.close();
}
