import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import {
  assertMemoryAccess,
  buildMemoryContext,
  type FactKey,
  type FactScope,
  type MemoryContext,
  type MemoryStore,
  memoryAccessRefusal,
} from "@governor/memory";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { emit } from "../graph/events.js";
import type { NodeServices } from "../graph/node-scope.js";
import type { GraphState } from "../graph/state-annotation.js";
import { modelMasker } from "../graph/step-prompt.js";
import type { FromState, StepMemory } from "./memory-node-definitions.js";

/** The step's audit writer (see `stepAudit`): records are deduplicated per step and key. */
export type StepAudit = (
  kind: "memory",
  outcome: string,
  data: Record<string, unknown>,
  key: string,
) => unknown;

/** Where a read happens and when it looks: now, or a past moment (time travel). */
export interface StepMemoryRead {
  readonly node: string;
  readonly principal: Principal;
  readonly knownAt?: Date;
  readonly validAt?: Date;
}

/** A step's read: the context for the prompt and what it asked for, for the audit record. */
export interface StepMemoryResult {
  readonly context: MemoryContext;
  readonly scopes: readonly FactScope[];
  readonly keys: readonly FactKey[];
  readonly query?: string;
}

/**
 * Reads the facts a step declared, through `buildMemoryContext`: only facts true at the
 * step's time, each labelled, masked as the model will read them, within the token budget.
 * Every partition is checked against the principal's memory scopes before anything is read;
 * a partition it may not read fails the step (fail closed), audited in the run's own thread.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID when `scopes` or `keys` give something that is
 *   not a list, MEMORY_SCOPE_DENIED, MEMORY_AS_OF_INVALID.
 */
export async function readStepMemory(
  store: MemoryStore,
  memory: StepMemory<GraphState>,
  state: GraphState,
  services: Pick<NodeServices, "workflow">,
  read: StepMemoryRead,
  audit: StepAudit,
): Promise<StepMemoryResult> {
  const scopes = listFrom(memory.scopes, state, `${read.node}.memory scopes`);
  for (const [index, scope] of scopes.entries()) {
    const refusal = memoryAccessRefusal(read.principal, scope, "read");
    if (refusal === undefined) continue;
    await audit("memory", "denied", { access: "read", scope, reason: refusal }, `memory-denied:${index}`);
    assertMemoryAccess(read.principal, scope, "read");
  }
  const keys = memory.keys === undefined ? [] : listFrom(memory.keys, state, `${read.node}.memory keys`);
  const query = memory.query?.(state);
  if (query !== undefined && typeof query !== "string") {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      `${read.node}: memory query(state) returned ${typeof query}, not a string; nothing was read`,
      { node: read.node },
    );
  }
  const masker = modelMasker(state, services);
  const context = await buildMemoryContext(store, {
    principal: read.principal,
    scopes,
    ...(keys.length ? { keys } : {}),
    ...(query ? { query } : {}),
    ...(read.knownAt ? { knownAt: read.knownAt } : {}),
    ...(read.validAt ? { validAt: read.validAt } : {}),
    ...(memory.maxTokens !== undefined ? { maxTokens: memory.maxTokens } : {}),
    ...(masker ? { mask: (text: string) => masker.mask(text) } : {}),
  });
  return { context, scopes, keys, ...(query ? { query } : {}) };
}

/** What the audit record of a read holds: the ids of the facts given and what was asked. */
export function memoryReadAudit(result: StepMemoryResult, read: StepMemoryRead): Record<string, unknown> {
  return {
    factIds: result.context.facts.map((fact) => fact.id),
    scopes: result.scopes,
    ...(result.keys.length ? { keys: result.keys } : {}),
    ...(result.query !== undefined ? { query: result.query } : {}),
    tokens: result.context.tokens,
    omitted: result.context.omitted,
    ...(read.knownAt ? { knownAt: read.knownAt.toISOString() } : {}),
    ...(read.validAt ? { validAt: read.validAt.toISOString() } : {}),
  };
}

/** Reads a step's memory block for one call: see {@link stepMemoryText}. */
export type StepMemoryText = (
  state: GraphState,
  principal: Principal,
  audit: StepAudit,
  config: LangGraphRunnableConfig,
) => Promise<string | undefined>;

/**
 * The memory block of model step or agent turn `node`'s system prompt, read afresh at each
 * call, audited (kind "memory", outcome "read", once per step however often LangGraph re-runs
 * it) and reported on the stream. A step that declared no memory reads nothing.
 *
 * @throws {GovernorError} CONFIG_INVALID (at compile) when the step declares memory and the
 *   graph has no store; at a call, as {@link readStepMemory}: the turn fails closed rather
 *   than run without its facts.
 */
export function stepMemoryText(
  node: string,
  memory: StepMemory<GraphState> | undefined,
  services: Pick<NodeServices, "workflow" | "memory">,
): StepMemoryText {
  if (!memory) return async () => undefined;
  const store = memoryStoreOf(services, node);
  return async (state, principal, audit, config) => {
    const read = { node, principal };
    const result = await readStepMemory(store, memory, state, services, read, audit);
    await audit("memory", "read", memoryReadAudit(result, read), "memory-read");
    emit(config, {
      type: "memory-read",
      node,
      facts: result.context.facts.length,
      omitted: result.context.omitted,
    });
    return result.context.text;
  };
}

function listFrom<T>(value: FromState<GraphState, readonly T[]>, state: GraphState, what: string): T[] {
  const list = typeof value === "function" ? value(state) : value;
  if (!Array.isArray(list)) {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      `${what} gave ${list === null ? "null" : typeof list}, not a list; nothing was read`,
      { what },
    );
  }
  return [...list];
}

/**
 * The memory store a node needs.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the node when the graph was compiled without one.
 */
export function memoryStoreOf(services: Pick<NodeServices, "memory">, node: string): MemoryStore {
  if (!services.memory) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `node ${node} reads or writes memory, but the graph was compiled without a memory store: pass compile(workflow, { memory }) (GovernorStore#graphServices() includes one)`,
      { node },
    );
  }
  return services.memory;
}
