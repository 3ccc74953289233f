import type { WorkflowIssue } from "@governor/errors";

const RISKS = ["read", "write", "destructive"];
const CONDITIONS = ["contextTokensAbove", "toolRiskAtLeast", "budgetRemainingBelow"];
const RULE_FIELDS = new Set(["use", "reason", ...CONDITIONS]);

/**
 * The shape of a step's model routing (`models`): a default name and rules that each name a
 * model and at least one condition. Whether the named models were given is a compile-time
 * question (they are passed to compile or the runtime, not declared in the workflow).
 * Unknown fields are refused: a misspelt condition would be dropped and its rule would pick
 * its model on fewer conditions than its author wrote (with none left, on every turn).
 */
export function checkModelRouting(path: string, models: unknown): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: at, message });
  if (!models || typeof models !== "object" || Array.isArray(models)) {
    invalid(path, "must be { default: model name, rules?: [{ use, …conditions }] }");
    return issues;
  }
  const { default: fallback, rules, ...rest } = models as Record<string, unknown>;
  for (const key of Object.keys(rest))
    invalid(`${path}.${key}`, "is not a field of model routing (default, rules)");
  if (typeof fallback !== "string" || !fallback)
    invalid(`${path}.default`, "must name a model (a key of models)");
  if (rules === undefined) return issues;
  if (!Array.isArray(rules)) {
    invalid(`${path}.rules`, "must be an array of rules");
    return issues;
  }
  for (const [index, rule] of (rules as unknown[]).entries())
    issues.push(...checkRule(`${path}.rules[${index}]`, rule));
  return issues;
}

function checkRule(path: string, rule: unknown): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: at ? `${path}.${at}` : path, message });
  if (!rule || typeof rule !== "object" || Array.isArray(rule)) {
    invalid("", "must be { use: model name, …conditions }");
    return issues;
  }
  const fields = rule as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!RULE_FIELDS.has(key))
      invalid(key, `is not a condition of a routing rule (${CONDITIONS.join(", ")})`);
  }
  const { use, reason, contextTokensAbove, toolRiskAtLeast, budgetRemainingBelow } = fields;
  if (typeof use !== "string" || !use) invalid("use", "must name a model (a key of models)");
  if (reason !== undefined && (typeof reason !== "string" || !reason || reason.length > 500)) {
    invalid("reason", "must be a sentence of at most 500 characters");
  }
  if (CONDITIONS.every((condition) => fields[condition] === undefined)) {
    invalid("", `declares no condition (${CONDITIONS.join(", ")}); name the model as \`default\` instead`);
  }
  if (
    contextTokensAbove !== undefined &&
    !(
      typeof contextTokensAbove === "number" &&
      Number.isInteger(contextTokensAbove) &&
      contextTokensAbove >= 0
    )
  ) {
    invalid("contextTokensAbove", "must be a whole number of tokens, 0 or more");
  }
  if (toolRiskAtLeast !== undefined && !RISKS.includes(toolRiskAtLeast as string)) {
    invalid("toolRiskAtLeast", `must be one of ${RISKS.join(", ")}`);
  }
  // 0 would never match, and above 1 would match every turn of a run with a budget.
  if (
    budgetRemainingBelow !== undefined &&
    !(typeof budgetRemainingBelow === "number" && budgetRemainingBelow > 0 && budgetRemainingBelow <= 1)
  ) {
    invalid("budgetRemainingBelow", "must be a fraction of the budget, above 0 and at most 1");
  }
  return issues;
}
