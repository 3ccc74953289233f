import { AsyncLocalStorage } from "node:async_hooks";
import { GovernorError } from "@governor/errors";
import type { z } from "zod";
import { type AnyTool, defineTool } from "../tools/define-tool.js";
import type { ToolGovernance } from "./governed-tools-options.js";

/** What a LangChain tool must offer to be governed: a name, a description and a zod schema. */
export interface LangChainToolLike {
  readonly name: string;
  readonly description?: string;
  readonly schema?: unknown;
}

/**
 * Runs the real tool for the call the gateway is executing. The gateway calls a Governor
 * tool's handler with the parsed arguments only; how the LangChain tool is invoked (its
 * runtime: state, tool-call id, config) belongs to the node that received the call, so the
 * node sets the invoker for the duration of `gateway.execute` and the handler reads it here.
 */
export type ToolInvoker = (args: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>;

const currentInvoker = new AsyncLocalStorage<ToolInvoker>();

/** Runs `work` (a gateway execution) with `invoker` as the way to the real tool. */
export function withInvoker<T>(invoker: ToolInvoker, work: () => Promise<T>): Promise<T> {
  return currentInvoker.run(invoker, work);
}

/**
 * The Governor tool for each LangChain tool: its own zod schema is the contract, the
 * governance entry gives scopes, risk and resilience, and the handler invokes the real tool
 * (only ever through the gateway, behind the effect journal).
 *
 * Fails at construction, not at the first call: a tool with no governance entry, a
 * governance entry for no tool, a schema that is not zod, or a tool that can change the
 * world with neither a precondition (`check`) nor a declared `sufficient` policy.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the tool and what is missing.
 */
export function governorTools<TState>(
  tools: readonly LangChainToolLike[],
  govern: Readonly<Record<string, ToolGovernance<TState>>>,
): AnyTool[] {
  const names = new Set(tools.map((tool) => tool.name));
  const orphan = Object.keys(govern).find((name) => !names.has(name));
  if (orphan !== undefined) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `govern.${orphan} names no tool given to the governed node (tools: ${[...names].join(", ")})`,
      { tool: orphan },
    );
  }
  return tools.map((tool) => {
    const facts = Object.hasOwn(govern, tool.name) ? govern[tool.name] : undefined;
    if (!facts) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Tool ${tool.name} has no entry in govern: declare its scopes and risk, or leave it out of the governed node`,
        { tool: tool.name },
      );
    }
    if (!isZodSchema(tool.schema)) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Tool ${tool.name} has no zod schema: Governor parses every call's arguments with it (its contract)`,
        { tool: tool.name },
      );
    }
    requirePrecondition(tool.name, facts);
    return defineTool({
      name: tool.name,
      description: tool.description ?? tool.name,
      input: tool.schema,
      scopes: facts.scopes,
      risk: facts.risk,
      idempotent: facts.idempotent,
      timeoutMs: facts.timeoutMs,
      retry: facts.retry,
      fallback: facts.fallback,
      handler: (args, context) => {
        const invoke = currentInvoker.getStore();
        if (!invoke) {
          throw new GovernorError(
            "CONFIG_INVALID",
            `Tool ${tool.name} was executed outside a governed tool node: nothing says how to invoke it`,
            { tool: tool.name },
          );
        }
        return invoke(args as Record<string, unknown>, context.signal);
      },
    });
  });
}

/**
 * A tool that can change the world needs a precondition, as every action of a workflow does:
 * its own `check`, or `sufficient: { reason }` saying the policy checks everything.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the tool.
 */
export function requirePrecondition<TState>(name: string, facts: ToolGovernance<TState>): void {
  if (facts.risk === "read" || facts.check || facts.sufficient) return;
  throw new GovernorError(
    "CONFIG_INVALID",
    `Tool ${name} (risk ${facts.risk}) needs a precondition: govern.${name}.check, or sufficient: { reason } when its policy checks everything`,
    { tool: name },
  );
}

function isZodSchema(schema: unknown): schema is z.ZodType {
  return (
    typeof schema === "object" &&
    schema !== null &&
    typeof (schema as { safeParse?: unknown }).safeParse === "function"
  );
}
