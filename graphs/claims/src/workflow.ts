import { defineWorkflow, END, fail, pass, START } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { z } from "zod";
import { claimsIdentity } from "./approvers.js";
import { ClaimsDesk } from "./claims-desk.js";
import { type ClaimsRecords, sampleClaimsRecords } from "./claims-records.js";
import { claimsPolicy } from "./policy.js";
import { ASSESS_MARKER, SUMMARY_MARKER } from "./scenario.js";
import { authorizePayoutTool, exportPolicyholdersTool, updateAssessmentTool } from "./tools.js";

export const claimsState = z.object({
  claimId: z.string().min(1),
  assessmentId: z.string().min(1),
  request: z.string().min(1),
  claim: z
    .object({ id: z.string(), policyholder: z.string(), peril: z.string(), claimedAmount: z.number() })
    .optional(),
  assessment: z
    .object({
      id: z.string(),
      claimId: z.string(),
      status: z.enum(["draft", "final"]),
      recommendedAmount: z.number(),
      notes: z.string(),
    })
    .optional(),
  updated: z.object({ assessmentId: z.string(), recommendedAmount: z.number() }).optional(),
  /** How the run ended: "done" only after the assessment really changed. */
  status: z.enum(["done", "escalated"]).optional(),
  /** For the human adjuster who takes an escalated claim over. */
  handoff: z.string().optional(),
  reply: z.string().optional(),
});

type ClaimsState = z.output<typeof claimsState>;

export interface ClaimsWorkflowOptions {
  readonly records?: ClaimsRecords;
  /** The claims system the tools act on; tests pass their own to count its side effects. */
  readonly desk?: ClaimsDesk;
  /** Another policy engine in place of the claims desk's Cedar policies. */
  readonly policy?: PolicyEngine;
}

const agent = claimsIdentity.agent("claims-agent");

function outcomeLine({ status, updated, claimId, handoff }: ClaimsState): string {
  if (status === "done" && updated)
    return `Outcome: done. Assessment ${updated.assessmentId} now recommends $${updated.recommendedAmount.toLocaleString("en-US")}.`;
  return `Outcome: escalated. ${handoff ?? `Claim ${claimId} is with a human adjuster.`}`;
}

/**
 * A claims agent sees more API than it may use: it can propose a payout or a bulk export of
 * policyholders, but identity refuses both (it lacks the scopes) and Cedar would too. The one
 * change it may make, to a draft assessment, still passes a precondition and a policy gate;
 * a final assessment is refused, and anything it cannot do goes to a human adjuster.
 */
export function createClaimsWorkflow(options: ClaimsWorkflowOptions = {}) {
  const records = options.records ?? sampleClaimsRecords();
  const desk = options.desk ?? new ClaimsDesk();
  return defineWorkflow({
    name: "claims",
    // The release of this sample's fact code (the gates' CRM/system-of-record reads). Approvals
    // are bound to it: bump it when that code changes. Declared rather than hashed from source,
    // so a process running the sources (tests, Studio) and one running the build agree.
    version: "claims-facts-1",
    description: "A claims agent edits draft assessments only; payouts and bulk exports are out of its reach",
    state: claimsState,
    agent: { id: agent.agentId, scopes: agent.scopes, roles: agent.roles },
    tools: [updateAssessmentTool(desk), authorizePayoutTool(desk), exportPolicyholdersTool(desk)],
    approvers: claimsIdentity,
    policy: options.policy ?? claimsPolicy,
    nodes: {
      load_claim: {
        kind: "task",
        description: "Load the claim and its assessment",
        run: ({ claimId, assessmentId }) => ({
          claim: records.claim(claimId),
          assessment: records.assessment(assessmentId),
        }),
      },
      assess: {
        kind: "model",
        description: "The model proposes what to do with the claim",
        instructions: `${ASSESS_MARKER}. Act on the handler's request with the tools you have.`,
        input: ({ claimId, assessmentId, request, claim, assessment }) =>
          `Claim ${claimId} (${claim?.peril ?? "unknown claim"}, claimed $${(claim?.claimedAmount ?? 0).toLocaleString("en-US")}) · assessment ${assessmentId} (${assessment?.status ?? "missing"}): ${request}`,
        // The API surface the agent can see; what it may do is identity's and policy's call.
        tools: ["update_assessment", "authorize_payout", "export_policyholders"],
      },
      has_update: {
        kind: "route",
        branches: ["update", "escalate"],
        decide: (_state, proposal) => (proposal?.tool === "update_assessment" ? "update" : "escalate"),
      },
      check_assessment: {
        kind: "precondition",
        description: "The claim and assessment exist, belong together and are the ones in the request",
        guards: "update_assessment",
        check: ({ state, call }) => {
          const { claim, assessment, claimId, assessmentId } = state;
          if (!claim) return fail(`claim ${claimId} does not exist`);
          if (!assessment) return fail(`assessment ${assessmentId} does not exist`);
          if (assessment.claimId !== claim.id)
            return fail(`assessment ${assessmentId} belongs to claim ${assessment.claimId}, not ${claimId}`);
          if (call.args.claimId !== claimId || call.args.assessmentId !== assessmentId)
            return fail(
              `the proposal edits ${String(call.args.assessmentId)} on ${String(call.args.claimId)}, not this request's ${assessmentId} on ${claimId}`,
            );
          return pass();
        },
      },
      assessment_gate: {
        kind: "gate",
        description: "Policy decides: drafts only, large amounts to a manager",
        guards: "update_assessment",
        // Read from the claims system at decision time, not from editable thread state.
        context: (_state, call) => ({
          assessmentStatus: records.assessment(String(call.args.assessmentId))?.status ?? "missing",
          claimAmount: records.claim(String(call.args.claimId))?.claimedAmount ?? 0,
        }),
        resource: ({ assessmentId }) => ({ type: "Assessment", id: assessmentId }),
      },
      assessment_approval: {
        kind: "approval",
        description: "A claims manager approves or rejects this exact change",
        guards: "update_assessment",
        requiredScope: "approvals:claims",
        summary: (_state, call) =>
          `Set ${String(call.args.assessmentId)} on ${String(call.args.claimId)} to $${String(call.args.recommendedAmount)}`,
      },
      update_assessment: {
        kind: "action",
        description: "Write the change to the draft assessment",
        tool: "update_assessment",
        onResult: (_state, result) => {
          const { assessmentId, recommendedAmount } = result as {
            assessmentId: string;
            recommendedAmount: number;
          };
          return { updated: { assessmentId, recommendedAmount }, status: "done" as const };
        },
      },
      escalate: {
        kind: "task",
        description: "Hand the claim to a human adjuster",
        run: ({ claimId, assessmentId, request }) => ({
          status: "escalated" as const,
          handoff: `Claim ${claimId} is with a human adjuster: the agent made no change to assessment ${assessmentId}. Request: "${request}"`,
        }),
      },
      summarize: {
        kind: "model",
        description: "Tell the handler what happened",
        instructions: (state) => `${SUMMARY_MARKER}: say plainly what happened. ${outcomeLine(state)}`,
        onReply: (_state, text) => ({ reply: text }),
      },
    },
    edges: [
      [START, "load_claim"],
      ["load_claim", "assess"],
      ["assess", "has_update"],
      ["has_update", "check_assessment", "update"],
      ["has_update", "escalate", "escalate"],
      ["check_assessment", "assessment_gate", "pass"],
      ["check_assessment", "escalate", "fail"],
      ["assessment_gate", "update_assessment", "allow"],
      ["assessment_gate", "assessment_approval", "approval"],
      ["assessment_gate", "escalate", "deny"],
      ["assessment_approval", "update_assessment", "approved"],
      ["assessment_approval", "escalate", "rejected"],
      ["update_assessment", "summarize"],
      ["update_assessment", "escalate", "failed"],
      ["escalate", "summarize"],
      ["summarize", END],
    ],
  });
}
