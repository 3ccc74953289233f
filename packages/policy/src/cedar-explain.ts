import {
  type Clause,
  type Expr,
  type PolicyJson,
  policyToJson,
  policyToText,
  preparsePolicySet,
  statefulIsAuthorized,
} from "@cedar-policy/cedar-wasm/nodejs";
import { cedarMessage } from "./cedar-diagnostics.js";
import { type CedarPolicyInfo, governorEffect } from "./cedar-policy-set.js";
import type { CedarRequest } from "./cedar-request.js";
import type { PolicyEvaluation } from "./decision.js";

/** One question put to Cedar about one policy: does its action match, its whole scope, one condition? */
interface Probe {
  readonly policyId: string;
  readonly kind: "action" | "scope" | "condition";
  /** The condition's text, for a condition probe. */
  readonly text?: string;
}

/**
 * Explains a Cedar decision policy by policy, beyond what Cedar's diagnostics say (they name
 * only the satisfied policies and the ones that errored).
 *
 * Each policy is split into probes, small permits Cedar evaluates in one extra call: its
 * action constraint alone, its whole scope, and each top-level conjunct of its conditions
 * (`a && b && c` gives three; an `unless` clause is one). The first conjunct that is false or
 * errors is why the policy did not apply, since Cedar evaluates `&&` left to right and stops
 * there too. Only for explanations and for denials with no permit: never on the allow path.
 */
export class CedarExplainer {
  /** Each policy's probes by probe id, in order: action, scope, then each condition. */
  readonly #probes = new Map<string, [string, Probe][]>();
  readonly #setId: string;

  constructor(texts: Readonly<Record<string, string>>, hash: string) {
    const json: Record<string, PolicyJson> = {};
    let index = 0;
    const add = (probe: Probe, policy: PolicyJson) => {
      const id = `probe${index++}`;
      this.#probes.set(probe.policyId, [...(this.#probes.get(probe.policyId) ?? []), [id, probe]]);
      json[id] = policy;
    };
    for (const [policyId, text] of Object.entries(texts)) {
      const parsed = policyToJson(text);
      if (parsed.type === "failure") continue; // The load already parsed it; nothing to explain.
      const { principal, action, resource, conditions } = parsed.json;
      const permit = (clauses: Clause[], scope = { principal, action, resource }): PolicyJson => ({
        effect: "permit",
        ...scope,
        conditions: clauses,
      });
      add(
        { policyId, kind: "action" },
        permit([], { principal: { op: "All" }, action, resource: { op: "All" } }),
      );
      add({ policyId, kind: "scope" }, permit([]));
      for (const clause of conditions) {
        const parts = clause.kind === "when" ? conjuncts(clause.body) : [clause.body];
        for (const body of parts) {
          const probe = permit([{ kind: clause.kind, body }]);
          add({ policyId, kind: "condition", text: conditionText(probe) }, probe);
        }
      }
    }
    this.#setId = `governor-explain-${hash}`;
    const answer = preparsePolicySet(this.#setId, { staticPolicies: json });
    if (answer.type === "failure") this.#probes.clear();
  }

  /**
   * How each policy fared on a request the engine has already validated.
   *
   * @returns the evaluations by policy id; empty when Cedar could not evaluate the probes.
   */
  evaluate(
    request: CedarRequest,
    schemaName: string,
    policies: ReadonlyMap<string, CedarPolicyInfo>,
  ): Map<string, PolicyEvaluation> {
    const out = new Map<string, PolicyEvaluation>();
    if (!this.#probes.size) return out;
    const answer = statefulIsAuthorized({
      ...request,
      preparsedSchemaName: schemaName,
      preparsedPolicySetId: this.#setId,
      validateRequest: false,
    });
    if (answer.type === "failure") return out;
    const satisfied = new Set(answer.response.diagnostics.reason);
    const errors = new Map(
      answer.response.diagnostics.errors.map((error) => [error.policyId, cedarMessage(error.error)]),
    );
    for (const [policyId, probes] of this.#probes) {
      const info = policies.get(policyId);
      if (!info) continue;
      const effect = governorEffect(info);
      const result = (outcome: PolicyEvaluation["outcome"], detail: string) =>
        out.set(policyId, { id: policyId, effect, outcome, detail });
      const [actionProbe, scopeProbe, ...conditions] = probes;
      if (!actionProbe || !satisfied.has(actionProbe[0])) {
        result("not-applicable", "its scope names another action");
        continue;
      }
      if (!scopeProbe || !satisfied.has(scopeProbe[0])) {
        result("not-applicable", "its scope's principal or resource does not match this call");
        continue;
      }
      const failing = conditions.find(([id]) => !satisfied.has(id));
      if (!failing) result("satisfied", info.reason);
      else {
        const error = errors.get(failing[0]);
        const text = `\`${failing[1].text}\``;
        if (error) result("error", `condition ${text} could not be evaluated: ${error}`);
        else result("not-satisfied", `condition ${text} is false`);
      }
    }
    return out;
  }
}

/** The top-level operands of a chain of `&&`, left to right. */
function conjuncts(body: Expr): Expr[] {
  const and = (body as { "&&"?: { left: Expr; right: Expr } })["&&"];
  return and ? [...conjuncts(and.left), ...conjuncts(and.right)] : [body];
}

/** A probe's one condition as Cedar prints it: `when { principal.roles.contains("x") }`. */
function conditionText(probe: PolicyJson): string {
  const answer = policyToText(probe);
  if (answer.type === "failure") return "(condition)";
  const match = /\)\s*((?:when|unless)\s*\{[\s\S]*\})\s*;\s*$/.exec(answer.text);
  return match?.[1]?.replace(/\s+/g, " ") ?? answer.text;
}
