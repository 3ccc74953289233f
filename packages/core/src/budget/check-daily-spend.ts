import { GovernorError } from "@governor/errors";

type Audit = (kind: "budget", outcome: string, data: Record<string, unknown>, key: string) => unknown;

/**
 * Stops a model call that would take a principal past its daily budget. Not a question
 * for a human: the daily budget spans runs, so granting more is a configuration change.
 *
 * @throws {GovernorError} BUDGET_EXCEEDED naming the principal, the day and the amounts.
 */
export async function checkDailySpend(
  spent: number,
  nextCostUsd: number,
  maxUsd: number,
  where: { node: string; principal: string; day: string; audit: Audit },
): Promise<void> {
  if (spent + nextCostUsd <= maxUsd) return;
  await where.audit(
    "budget",
    "exceeded",
    { limit: "dailyCostUsdPerPrincipal", spent, next: nextCostUsd, max: maxUsd, day: where.day },
    "daily",
  );
  throw new GovernorError(
    "BUDGET_EXCEEDED",
    `${where.principal} has spent $${spent.toFixed(6)} of its $${maxUsd} daily model budget on ${where.day}; the call at ${where.node} (≈$${nextCostUsd.toFixed(6)}) would overrun it`,
    {
      node: where.node,
      limit: "dailyCostUsdPerPrincipal",
      principal: where.principal,
      day: where.day,
      spent,
    },
  );
}
