import type { PolicyDecision, PolicyEngine, PolicyRequest } from "@governor/policy";

const EFFECTS = new Set(["allow", "deny", "require-approval"]);

/**
 * The policy engine as the gateway trusts it: every decision it returns is checked for shape,
 * and anything that is not one (no answer, an effect other than allow, deny or
 * require-approval, reasons or policy ids that are not lists of strings) is a denial whose
 * reason says what the engine answered. An engine is the author's code (or a Cedar set behind
 * an adapter); a decision that cannot be read must not open a door, nor crash the decision of
 * the calls beside it. An engine that throws still throws: that failure is the run's.
 */
export function withCheckedDecisions(engine: PolicyEngine): PolicyEngine {
  const decide = async (request: PolicyRequest): Promise<PolicyDecision> =>
    checkedDecision(await engine.decide(request), engine.version);
  return new Proxy(engine, {
    get(target, property) {
      if (property === "decide") return decide;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The decision when it has the shape of one, else a denial that says what came back. */
export function checkedDecision(decision: unknown, version: string): PolicyDecision {
  const problem = decisionProblem(decision);
  if (!problem) return decision as PolicyDecision;
  return {
    effect: "deny",
    reasons: [`the policy engine gave no valid decision (${problem}); the call is denied`],
    policyIds: [],
    policyVersion: version,
  };
}

function decisionProblem(decision: unknown): string | undefined {
  if (typeof decision !== "object" || decision === null) return `it answered ${String(decision)}`;
  const { effect, reasons, policyIds, policyVersion } = decision as Record<string, unknown>;
  if (typeof effect !== "string" || !EFFECTS.has(effect)) return `effect ${JSON.stringify(effect)}`;
  if (!isStrings(reasons)) return "reasons is not a list of strings";
  if (!isStrings(policyIds)) return "policyIds is not a list of strings";
  if (typeof policyVersion !== "string") return "policyVersion is not a string";
  return undefined;
}

function isStrings(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
