import type { Workflow } from "../workflow/define-workflow.js";

/**
 * The approvers a workflow names for a request needing `scope`, when its registry can list
 * them; undefined when it cannot (a registry that only looks approvers up by id). The CLI
 * and the console show the same list, and check a chosen approver against it.
 */
export function eligibleApprovers(
  workflow: Pick<Workflow, "approvers">,
  request: { readonly requiredScope?: string },
): string[] | undefined {
  return workflow.approvers?.approversWith?.(request.requiredScope).map((approver) => approver.id);
}

/**
 * Why `approver` may not decide a request needing `scope`, naming who may; undefined when
 * they may. Checked before anything is signed, so a refusal never costs the run an attempt
 * (the approval node would refuse the signed decision too, but only after it was made).
 */
export function approverEntitlementProblem(
  workflow: Pick<Workflow, "approvers" | "name">,
  approver: string,
  scope: string | undefined,
): string | undefined {
  const registry = workflow.approvers;
  if (!registry) return `workflow "${workflow.name}" names no approvers, so nobody may decide its requests`;
  const found = registry.findApprover(approver);
  const holds = found !== undefined && (scope === undefined || found.scopes.includes(scope));
  if (holds) return undefined;
  const eligible = eligibleApprovers(workflow, { requiredScope: scope });
  const who = eligible ? `Approvers who may: ${eligible.join(", ") || "none configured"}` : "";
  const why = found
    ? `${approver} lacks the scope ${scope} this request needs`
    : `${approver} is not an approver of workflow "${workflow.name}"`;
  return who ? `${why}. ${who}` : why;
}
