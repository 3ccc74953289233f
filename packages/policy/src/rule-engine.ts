import { createHash } from "node:crypto";
import type { PolicyDecision, PolicyEngine, PolicyRequest } from "./decision.js";

/** One in-code policy. Effects follow Cedar: forbid overrides everything, nothing is allowed unless permitted. */
export interface PolicyRule {
  readonly id: string;
  /** Tools this rule speaks about; omitted means every tool. */
  readonly actions?: readonly string[];
  readonly effect: "permit" | "forbid" | "require-approval";
  readonly when?: (request: PolicyRequest) => boolean;
  /** Why, in words an approver or auditor reads. */
  readonly reason: string;
}

/**
 * A policy engine of plain TypeScript predicates.
 *
 * Semantics mirror Cedar so a rule set can move to `.cedar` files unchanged in meaning:
 * any matching forbid denies; otherwise a matching require-approval asks a human, but only
 * when some permit also matches; otherwise a matching permit allows; with no match the
 * call is denied by default.
 */
export class RulePolicyEngine implements PolicyEngine {
  readonly version: string;
  readonly #rules: readonly PolicyRule[];

  constructor(rules: readonly PolicyRule[], options: { version?: string } = {}) {
    const ids = new Set<string>();
    for (const rule of rules) {
      if (ids.has(rule.id)) throw new TypeError(`Policy rule id "${rule.id}" is declared twice`);
      ids.add(rule.id);
    }
    this.#rules = rules;
    // Without an explicit version, the rules' whole text names it, conditions included:
    // raising a limit inside `when` changes the version, so approvals given under the old rules lapse.
    this.version =
      options.version ??
      `rules-${createHash("sha256")
        .update(
          rules
            .map((rule) =>
              [
                rule.id,
                rule.effect,
                rule.actions?.join(",") ?? "*",
                rule.reason,
                rule.when?.toString() ?? "",
              ].join("\u0000"),
            )
            .join("\n"),
        )
        .digest("hex")
        .slice(0, 12)}`;
  }

  decide(request: PolicyRequest): PolicyDecision {
    const matching = this.#rules.filter(
      (rule) => (!rule.actions || rule.actions.includes(request.action)) && (rule.when?.(request) ?? true),
    );
    const of = (effect: PolicyRule["effect"]) => matching.filter((rule) => rule.effect === effect);
    const forbids = of("forbid");
    const permits = of("permit");
    const approvals = of("require-approval");
    const decision = (effect: PolicyDecision["effect"], rules: readonly PolicyRule[], fallback?: string) => ({
      effect,
      reasons: rules.length ? rules.map((rule) => rule.reason) : [fallback ?? ""],
      policyIds: rules.map((rule) => rule.id),
      policyVersion: this.version,
    });
    if (forbids.length) return decision("deny", forbids);
    if (!permits.length) return decision("deny", [], `no policy permits ${request.action}`);
    if (approvals.length) return decision("require-approval", approvals);
    return decision("allow", permits);
  }
}
