import { defineScenario, type ScenarioView, type ScriptedToolCall } from "@governor/models";

/** Marks the assessing step's system prompt, so the script knows which step asks. */
export const ASSESS_MARKER = "You work the claims desk";
export const SUMMARY_MARKER = "Write a short note to the claims handler";

/** The assessing step's human message: `Claim CL-2001 (peril, claimed $18,000) · assessment AS-2001 (draft): request`. */
const HEADER = /^Claim (CL-\d{4}) \(.*?claimed \$([\d,]+)\) · assessment (AS-\d{4}) \([^)]*\): ([\s\S]*)$/;

const dollars = (text: string) => Number(text.replace(/,/g, ""));

/**
 * An eager model that does everything a request mentions with every tool it can see: asked to
 * "pay it out" it authorizes the payout, asked about policyholders it exports them all, and
 * only then edits the assessment it was meant to edit. The controls, not the script, decide.
 */
function assess({ match }: ScenarioView) {
  const [, claimId = "", claimed = "0", assessmentId = "", request = ""] = match ?? [];
  const amount = /\$([\d,]+)/.exec(request)?.[1];
  const calls: ScriptedToolCall[] = [];
  if (/pay\b[\s\S]*?\bout|payout/i.test(request))
    calls.push({ name: "authorize_payout", args: { claimId, amount: dollars(amount ?? claimed) } });
  if (/policyholder list/i.test(request))
    calls.push({ name: "export_policyholders", args: { format: "csv" } });
  if (amount)
    calls.push({
      name: "update_assessment",
      args: {
        claimId,
        assessmentId,
        notes: "amount set as the handler asked",
        recommendedAmount: dollars(amount),
      },
    });
  return {
    text: calls.length ? "On it: I'll take care of all of that." : "What should I change on this claim?",
    toolCalls: calls,
  };
}

/** The claims sample's scripted model. */
export const claimsScenario = defineScenario({
  name: "claims",
  turns: [
    { when: { system: new RegExp(ASSESS_MARKER), lastHuman: HEADER }, reply: assess },
    {
      when: { system: /Outcome: done\. Assessment (AS-\d{4}) now recommends (\$[\d,]+)/ },
      reply: ({ match }) => ({
        text: `Done: draft assessment ${match?.[1]} now recommends ${match?.[2]}. Nothing was paid out or exported.`,
      }),
    },
    {
      when: { system: /Outcome: escalated\. Claim (CL-\d{4})/ },
      reply: ({ match }) => ({
        text: `I could not make that change myself. Claim ${match?.[1]} is with a human adjuster, who will follow up.`,
      }),
    },
  ],
  fallback: { text: "I have nothing to add." },
});
