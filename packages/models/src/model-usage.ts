import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { TokenUsage } from "./pricing.js";
import { countMessageTokens, countTokens, messageText } from "./token-count.js";
import { estimateTokens } from "./token-estimate.js";

/** The most tokens one call may report for its input or its output; beyond it the report is absurd. */
export const MAX_REPORTED_TOKENS = 10_000_000;

/**
 * How far below a rough estimate (about four characters a token) a reported input count may
 * fall before it is taken for an undercount. Generous on purpose: real tokenizers differ from
 * the estimate by far less, so only a report that would make calls nearly free trips it.
 */
const UNDERCOUNT_FACTOR = 8;

/** The tokens one call used, and whether the model reported them or they were estimated. */
export interface MeasuredUsage extends TokenUsage {
  readonly source: "reported" | "estimated";
  /**
   * Why the model's own report was not used, when it gave one that does not hold (negative,
   * fractional, NaN, a string, absurdly large or far below the prompt's size): budgets then
   * count the estimate, and the caller audits the anomaly.
   */
  readonly anomaly?: string;
}

type Report = { readonly usage: TokenUsage } | { readonly anomaly: string } | undefined;

/**
 * The usage a reply reports, when it is usable: LangChain's `usage_metadata`, or the
 * provider's own `tokenUsage` / `usage` in the response metadata for integrations that fill
 * only those. A report that is not a pair of non-negative integers within bounds is not usage.
 */
export function reportedUsage(reply: AIMessage): TokenUsage | undefined {
  const report = readReport(reply);
  return report && "usage" in report ? report.usage : undefined;
}

/**
 * What a call used: the model's own report when it gives a sound one, otherwise an estimate
 * of the prompt and the reply counted with the tokenizer. Budgets count either way, so a
 * model that reports nothing is never free, and one that reports nonsense (negative or NaN
 * counts that would hand budget back) is counted by the estimate, with the anomaly named.
 */
export async function measureUsage(reply: AIMessage, prompt: readonly BaseMessage[]): Promise<MeasuredUsage> {
  const report = readReport(reply);
  let anomaly = report && "anomaly" in report ? report.anomaly : undefined;
  if (report && "usage" in report) {
    anomaly = undercount(report.usage, prompt);
    if (!anomaly) return { ...report.usage, source: "reported" };
  }
  const estimated = {
    inputTokens: await countMessageTokens(prompt),
    outputTokens: await countTokens(messageText(reply)),
    source: "estimated" as const,
  };
  return anomaly ? { ...estimated, anomaly } : estimated;
}

function readReport(reply: AIMessage): Report {
  const metadata = reply.usage_metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === "object") {
    const checked = checkCounts(metadata.input_tokens, metadata.output_tokens, "usage_metadata");
    // Zero and zero is how some integrations say "not counted": look further, then estimate.
    if (!("usage" in checked) || checked.usage.inputTokens > 0 || checked.usage.outputTokens > 0) {
      return checked;
    }
  }
  const raw = reply.response_metadata as Record<string, unknown> | undefined;
  const provider = (raw?.tokenUsage ?? raw?.usage) as Record<string, unknown> | undefined;
  if (!provider || typeof provider !== "object") return undefined;
  const input = provider.promptTokens ?? provider.prompt_tokens ?? provider.input_tokens;
  const output = provider.completionTokens ?? provider.completion_tokens ?? provider.output_tokens;
  if (input === undefined && output === undefined) return undefined;
  return checkCounts(input, output, "response_metadata");
}

function checkCounts(input: unknown, output: unknown, where: string): NonNullable<Report> {
  const problem = countProblem(input, "input") ?? countProblem(output, "output");
  if (problem) return { anomaly: `the model reported ${problem} in ${where}` };
  return { usage: { inputTokens: input as number, outputTokens: output as number } };
}

function countProblem(value: unknown, which: string): string | undefined {
  if (typeof value !== "number")
    return `${which} tokens as ${value === undefined ? "missing" : typeof value} (${String(value)})`;
  if (!Number.isInteger(value) || value < 0) return `${which} tokens ${value}, not a non-negative integer`;
  if (value > MAX_REPORTED_TOKENS) return `${which} tokens ${value}, beyond ${MAX_REPORTED_TOKENS}`;
  return undefined;
}

/** A reported input count far below what the prompt's size allows, or undefined. */
function undercount(usage: TokenUsage, prompt: readonly BaseMessage[]): string | undefined {
  const rough = estimateTokens(prompt.map((message) => messageText(message)).join("\n"));
  if (usage.inputTokens * UNDERCOUNT_FACTOR >= rough) return undefined;
  return `the model reported ${usage.inputTokens} input tokens for a prompt of about ${rough}`;
}
