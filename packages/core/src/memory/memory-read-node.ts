import { GovernorError } from "@governor/errors";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../graph/events.js";
import { type NodeServices, scopeOf, stepAudit } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { MemoryReadNode } from "./memory-node-definitions.js";
import { checkedStateUpdate } from "./memory-state-update.js";
import { memoryReadAudit, memoryStoreOf, readStepMemory } from "./step-memory.js";

/**
 * A memory read step: the declared facts, current (or as of `knownAt` / `validAt`), masked
 * and labelled, into the state field `into` (and the records into `factsInto`). Audited once
 * per step, kind "memory", outcome "read", with the fact ids and the query, however often
 * LangGraph re-runs the node.
 *
 * @throws {GovernorError} CONFIG_INVALID when compiled without a memory store (at compile).
 */
export function memoryReadNode(id: string, node: MemoryReadNode<GraphState>, services: NodeServices) {
  const store = memoryStoreOf(services, id);
  return async (state: GraphState, config: LangGraphRunnableConfig) => {
    const scope = scopeOf(config, id, services);
    const read = {
      node: id,
      principal: scope.principal,
      ...timeOf("knownAt", node.knownAt?.(state), id),
      ...timeOf("validAt", node.validAt?.(state), id),
    };
    const audit = stepAudit(services, scope, config);
    const result = await readStepMemory(store, node, state, services, read, audit);
    await audit("memory", "read", memoryReadAudit(result, read), "memory-read");
    emit(config, {
      type: "memory-read",
      node: id,
      facts: result.context.facts.length,
      omitted: result.context.omitted,
    });
    return checkedStateUpdate(services, id, {
      [node.into]: result.context.text,
      ...(node.factsInto ? { [node.factsInto]: result.context.facts } : {}),
    });
  };
}

/** A time-travel bound from the state, as a Date; undefined reads now. */
function timeOf(
  label: "knownAt" | "validAt",
  value: Date | string | undefined,
  node: string,
): { knownAt?: Date; validAt?: Date } {
  if (value === undefined) return {};
  const date = value instanceof Date ? value : typeof value === "string" ? new Date(value) : undefined;
  if (
    !date ||
    Number.isNaN(date.getTime()) ||
    (typeof value === "string" && !/^\d{4}-\d{2}-\d{2}/.test(value))
  ) {
    throw new GovernorError(
      "MEMORY_AS_OF_INVALID",
      `memory-read node ${node}: ${label}(state) gave ${JSON.stringify(value)}, not a Date or an ISO date-time; nothing was read`,
      { node, [label]: String(value) },
    );
  }
  return { [label]: date };
}
