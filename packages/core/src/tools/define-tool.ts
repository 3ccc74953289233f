import type { Principal } from "@governor/identity";
import type { z } from "zod";
import { GovernorError } from "@governor/errors";

/** How much a call can change the world: reads are cheap to allow, destructive calls are what approvals are for. */
export type ToolRisk = "read" | "write" | "destructive";

/** What a handler is told about the call it runs. */
export interface ToolCallContext {
  readonly threadId: string;
  readonly principal: Principal;
  /** Stable across retries and resumes of the same call: pass it to downstream APIs that deduplicate. */
  readonly idempotencyKey: string;
}

/** A tool as declared once: the gateway's only way to a side effect. */
export interface ToolDefinition<TInput extends z.ZodType = z.ZodType, TOutput = unknown> {
  readonly name: string;
  readonly description: string;
  /** The contract: arguments the model proposes are parsed by it, and refused when they do not parse. */
  readonly input: TInput;
  /** Every scope a principal must hold for the call to run. */
  readonly scopes: readonly string[];
  readonly risk: ToolRisk;
  /** Safe to run twice with the same arguments; only such tools are retried. */
  readonly idempotent?: boolean;
  readonly handler: (args: z.output<TInput>, context: ToolCallContext) => TOutput | Promise<TOutput>;
}

/** Any tool, whatever its types, as collections of tools hold them. */
// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tools needs an open handler type.
export type AnyTool = ToolDefinition<z.ZodType, any>;

const TOOL_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

/**
 * Declares a tool. The model can only propose calls to it; the gateway decides whether the
 * handler runs.
 *
 * @throws {GovernorError} CONFIG_INVALID when the name is not a valid function name for model APIs.
 * @example
 * const issueRefund = defineTool({
 *   name: "issue_refund", description: "Refund part of an order", risk: "write",
 *   input: z.object({ orderId: z.string(), amount: z.number().positive() }),
 *   scopes: ["refunds:write"],
 *   handler: async ({ orderId, amount }) => payments.refund(orderId, amount),
 * });
 */
export function defineTool<TInput extends z.ZodType, TOutput>(
  definition: ToolDefinition<TInput, TOutput>,
): ToolDefinition<TInput, TOutput> {
  if (!TOOL_NAME.test(definition.name)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Tool name "${definition.name}" must start with a letter and use only letters, digits, _ or - (at most 64)`,
      { tool: definition.name },
    );
  }
  return Object.freeze({ ...definition, scopes: [...definition.scopes] });
}
