import { createHash } from "node:crypto";
import type {
  PolicyDecision,
  PolicyEngine,
  PolicyEvaluation,
  PolicyExplanation,
  PolicyRequest,
} from "./decision.js";

/** One in-code policy. Effects follow Cedar: forbid overrides everything, nothing is allowed unless permitted. */
export interface PolicyRule {
  readonly id: string;
  /** Tools this rule speaks about; omitted means every tool. */
  readonly actions?: readonly string[];
  readonly effect: "permit" | "forbid" | "require-approval";
  /**
   * The condition. Only `true` satisfies it: `undefined`, `null`, a Promise or any other value
   * is a condition that could not be evaluated (usually a missing fact), and so is a throw.
   */
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
 *
 * A condition that cannot be evaluated (it throws, or returns anything but a boolean, as
 * `ctx.isVip` does when the fact is absent) never opens a door. Cedar would skip such a policy,
 * which for a forbid means allowing what it might have forbidden; Governor fails closed instead:
 * - a forbid or require-approval that cannot be evaluated denies the call (it might apply);
 * - a permit that cannot be evaluated does not permit (another permit still may).
 * The decision's reasons say which rule could not be evaluated and why.
 */
export class RulePolicyEngine implements PolicyEngine {
  readonly version: string;
  readonly #rules: readonly PolicyRule[];
  /** Each rule's reason, by id. */
  readonly #reasons = new Map<string, string>();

  constructor(rules: readonly PolicyRule[], options: { version?: string } = {}) {
    for (const rule of rules) {
      if (this.#reasons.has(rule.id)) throw new TypeError(`Policy rule id "${rule.id}" is declared twice`);
      this.#reasons.set(rule.id, rule.reason);
    }
    this.#rules = rules;
    // Without an explicit version, the rules' whole text names it, conditions' bodies included:
    // raising a limit inside `when` changes the version, so approvals given under the old rules
    // lapse. A value a `when` reads from its closure (a constant imported from elsewhere) is not
    // in its text: pass `version` when such values change.
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
    return this.explain(request).decision;
  }

  /** Evaluates every rule without side effects and reports each one's outcome with the decision. */
  explain(request: PolicyRequest): PolicyExplanation {
    const policies = this.#rules.map((rule) => evaluate(rule, request));
    return { decision: this.#decide(request, policies), policies };
  }

  #decide(request: PolicyRequest, evaluations: readonly PolicyEvaluation[]): PolicyDecision {
    const with_ = (effect: PolicyRule["effect"], outcome: PolicyEvaluation["outcome"]) =>
      evaluations.filter((item) => item.effect === effect && item.outcome === outcome);
    const decision = (effect: PolicyDecision["effect"], ids: string[], reasons: string[]) => ({
      effect,
      reasons,
      policyIds: ids,
      policyVersion: this.version,
    });
    const reasonOf = (item: PolicyEvaluation) => this.#reasons.get(item.id) ?? item.id;

    const forbids = with_("forbid", "satisfied");
    // A forbid or approval rule that cannot be evaluated might apply: deny rather than guess.
    const unknown = [...with_("forbid", "error"), ...with_("require-approval", "error")];
    if (forbids.length || unknown.length)
      return decision(
        "deny",
        [...forbids, ...unknown].map((item) => item.id),
        [
          ...forbids.map(reasonOf),
          ...unknown.map(
            (item) =>
              `${item.effect} rule "${item.id}" could not be evaluated (${item.detail}): denied, since it might apply`,
          ),
        ],
      );
    const permits = with_("permit", "satisfied");
    if (!permits.length) return decision("deny", [], noPermitReasons(request.action, evaluations));
    const approvals = with_("require-approval", "satisfied");
    if (approvals.length)
      return decision(
        "require-approval",
        approvals.map((item) => item.id),
        approvals.map(reasonOf),
      );
    return decision(
      "allow",
      permits.map((item) => item.id),
      permits.map(reasonOf),
    );
  }
}

/** How one rule fares: only a `when` returning exactly `true` satisfies it. */
function evaluate(rule: PolicyRule, request: PolicyRequest): PolicyEvaluation {
  const base = { id: rule.id, effect: rule.effect };
  if (rule.actions && !rule.actions.includes(request.action))
    return { ...base, outcome: "not-applicable", detail: `speaks about ${rule.actions.join(", ")} only` };
  if (!rule.when) return { ...base, outcome: "satisfied", detail: rule.reason };
  let result: unknown;
  try {
    result = rule.when(request);
  } catch (error) {
    return {
      ...base,
      outcome: "error",
      detail: `its condition threw: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (result === true) return { ...base, outcome: "satisfied", detail: rule.reason };
  if (result === false) return { ...base, outcome: "not-satisfied", detail: "its condition is false" };
  // A rejected Promise nobody awaits would crash the process as an unhandled rejection.
  if (isThenable(result)) Promise.resolve(result).catch(() => undefined);
  return { ...base, outcome: "error", detail: `its condition returned ${describe(result)}, not a boolean` };
}

/** "no policy permits X", then each permit for X and why it did not apply. */
function noPermitReasons(action: string, evaluations: readonly PolicyEvaluation[]): string[] {
  const considered = evaluations.filter(
    (item) => item.effect === "permit" && item.outcome !== "not-applicable",
  );
  if (!considered.length) return [`no policy permits ${action}: no permit rule speaks about it`];
  return [
    `no policy permits ${action}`,
    ...considered.map((item) =>
      item.outcome === "error"
        ? `permit "${item.id}" could not be evaluated: ${item.detail} (a missing fact?)`
        : `permit "${item.id}" did not apply: ${item.detail}`,
    ),
  ];
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (isThenable(value))
    return "a Promise (a `when` must decide synchronously: fetch the fact into the context first)";
  return `${typeof value} ${JSON.stringify(value) ?? String(value)}`;
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}
