import { GovernorError } from "@governor/errors";
import type { ToolDefinition } from "../tools/define-tool.js";

type Resilience = Pick<
  ToolDefinition,
  "name" | "timeoutMs" | "retry" | "circuitBreaker" | "rateLimit" | "fallback"
>;

/**
 * Refuses resilience settings that cannot work (a zero timeout, a breaker that never opens,
 * a rate limit that admits nothing, a fallback that is neither a tool nor an escalation) when the tool is declared, not on its
 * first failure in production. Whether a fallback tool exists is the workflow's business:
 * `validate()` checks it.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the tool and the setting.
 */
export function checkResilience(tool: Resilience): void {
  const problems: string[] = [];
  const positive = (path: string, value: unknown, integer = false) => {
    if (value === undefined) return;
    const ok = typeof value === "number" && value > 0 && Number.isFinite(value);
    if (!ok || (integer && !Number.isInteger(value)))
      problems.push(`${path} must be a positive ${integer ? "integer" : "number"}`);
  };

  positive("timeoutMs", tool.timeoutMs);
  if (tool.retry !== undefined) {
    positive("retry.maxAttempts", tool.retry.maxAttempts, true);
    positive("retry.initialDelayMs", tool.retry.initialDelayMs);
    positive("retry.maxDelayMs", tool.retry.maxDelayMs);
  }
  if (tool.circuitBreaker) {
    positive("circuitBreaker.threshold", tool.circuitBreaker.threshold, true);
    positive("circuitBreaker.halfOpenAfterMs", tool.circuitBreaker.halfOpenAfterMs);
  }
  if (tool.rateLimit !== undefined) {
    const rateLimit = tool.rateLimit as unknown;
    if (typeof rateLimit !== "object" || rateLimit === null)
      problems.push("rateLimit must be { limit, intervalMs }");
    else {
      // Both are required: a limit without a window (or the reverse) means nothing.
      const { limit, intervalMs } = rateLimit as Record<string, unknown>;
      positive("rateLimit.limit", limit ?? Number.NaN, true);
      positive("rateLimit.intervalMs", intervalMs ?? Number.NaN, true);
    }
  }
  const fallback = tool.fallback as Record<string, unknown> | undefined;
  if (fallback !== undefined) {
    const isTool = typeof fallback?.tool === "string" && fallback.tool !== "" && !("escalate" in fallback);
    const isEscalation = fallback?.escalate === true && !("tool" in fallback);
    if (!isTool && !isEscalation)
      problems.push('fallback must be { tool: "<another tool>" } or { escalate: true }');
    else if (fallback.tool === tool.name) problems.push("fallback names the tool itself");
  }

  if (problems.length) {
    throw new GovernorError("CONFIG_INVALID", `Tool "${tool.name}": ${problems.join("; ")}`, {
      tool: tool.name,
      problems,
    });
  }
}
