import type { PolicyDecision, PolicyEngine, PolicyExplanation, PolicyRequest } from "@governor/policy";

/**
 * The policy engine as the gateway presents it: the same engine, whose version also names
 * the workflow's fact code (`factVersion`). Decisions, call hashes and approvals are bound to
 * this combined version, so changing either the rules or the code that computes their facts
 * lapses a pending approval.
 *
 * A Proxy rather than a wrapper class, so whatever else the engine offers (explain, contract
 * checks, methods added later) stays reachable and runs against the engine itself.
 */
export function withFactVersion(engine: PolicyEngine, factVersion: string | undefined): PolicyEngine {
  if (!factVersion) return engine;
  const versionOf = () => `${engine.version}+${factVersion}`;
  const stamp = (decision: PolicyDecision): PolicyDecision => ({ ...decision, policyVersion: versionOf() });
  const decide = async (request: PolicyRequest) => stamp(await engine.decide(request));
  const explain = engine.explain
    ? async (request: PolicyRequest): Promise<PolicyExplanation> => {
        const explained = await (engine.explain as NonNullable<PolicyEngine["explain"]>)(request);
        return { ...explained, decision: stamp(explained.decision) };
      }
    : undefined;
  return new Proxy(engine, {
    get(target, property) {
      if (property === "version") return versionOf();
      if (property === "decide") return decide;
      if (property === "explain") return explain;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
