import { defineTool } from "@governor/core";
import { z } from "zod";
import type { ClaimsDesk } from "./claims-desk.js";

/** No assessment, draft or not, recommends more than this: larger claims are not an agent's file. */
export const ASSESSMENT_HARD_CAP = 100_000;

const claimId = z.string().regex(/^CL-\d{4}$/, "a claim id looks like CL-1234");

/** The one tool the claims agent is meant to use: edit a draft assessment. */
export function updateAssessmentTool(desk: ClaimsDesk) {
  return defineTool({
    name: "update_assessment",
    description: "Update the notes and recommended amount of a claim's draft assessment.",
    input: z
      .object({
        claimId,
        assessmentId: z.string().regex(/^AS-\d{4}$/, "an assessment id looks like AS-1234"),
        notes: z.string().min(3).max(2000),
        recommendedAmount: z
          .number()
          .int("whole dollars")
          .min(0)
          .max(ASSESSMENT_HARD_CAP, `no assessment recommends more than ${ASSESSMENT_HARD_CAP}`),
      })
      .strict(),
    scopes: ["claims:assess"],
    risk: "write",
    handler: (args, { idempotencyKey }) => {
      const {
        claimId: id,
        assessmentId,
        recommendedAmount,
      } = desk.updateAssessment({ ...args, idempotencyKey });
      return { claimId: id, assessmentId, recommendedAmount };
    },
  });
}

/**
 * Part of the API surface the agent can see, not of its authority: it needs `claims:payout`,
 * which only a claims manager holds.
 */
export function authorizePayoutTool(desk: ClaimsDesk) {
  return defineTool({
    name: "authorize_payout",
    description: "Authorize the final payout of a claim to the policyholder.",
    input: z.object({ claimId, amount: z.number().int().positive() }).strict(),
    scopes: ["claims:payout"],
    risk: "destructive",
    handler: ({ claimId: id, amount }) => desk.authorizePayout(id, amount),
  });
}

/** A bulk read of every policyholder's data: needs `data:export`, which no claims role holds. */
export function exportPolicyholdersTool(desk: ClaimsDesk) {
  return defineTool({
    name: "export_policyholders",
    description: "Export every policyholder's name, address and contact details.",
    input: z.object({ format: z.enum(["csv", "json"]) }).strict(),
    scopes: ["data:export"],
    risk: "read",
    handler: ({ format }) => desk.exportPolicyholders(format),
  });
}
