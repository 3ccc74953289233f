import type { Principal } from "@governor/identity";
import { estimateTokens } from "@governor/models";
import { type FactKey, type FactRecord, type FactScope, kindRank } from "../fact.js";
import type { MemoryStore } from "../memory-store.js";
import { renderFact } from "./render-fact.js";

export interface MemoryContextOptions {
  readonly principal: Principal;
  /** The partitions to read, e.g. the tenant's rules and the user's preferences. */
  readonly scopes: readonly FactScope[];
  /** Semantic search through the index (Mem0): the facts relevant to this step. */
  readonly query?: string;
  /** Keys the step always needs, whatever the query finds. */
  readonly keys?: readonly FactKey[];
  /** World time the facts must hold at (default now). */
  readonly validAt?: Date;
  /** System time: what was known then (default now). With either set, the context is an `asOf`. */
  readonly knownAt?: Date;
  /** The most tokens the context may take (default 300). */
  readonly maxTokens?: number;
  /** How many keys a search may bring per partition (default 8). */
  readonly limit?: number;
  /** Masks PII in every line before it leaves (the runtime passes its privacy masking). */
  readonly mask?: (text: string) => string;
  readonly countTokens?: (text: string) => number;
}

export interface MemoryContext {
  /** The facts given to the model, most binding first. */
  readonly facts: readonly FactRecord[];
  /** The block to put in the prompt; empty when there is nothing to say. */
  readonly text: string;
  readonly tokens: number;
  /** Relevant facts left out for the token budget. */
  readonly omitted: number;
}

const HEADER =
  "Facts on record (current; a mandate is a rule to follow, a suggestion is not binding; older or retracted facts are not listed):";

/**
 * The facts a model step gets: only those true at the step's time (superseded and retracted
 * ones never), relevant to it (exact keys, then semantic search), each labelled with its kind and
 * authority, most binding first, cut to a token budget. Reads are checked against the
 * principal's memory scopes by the store.
 */
export async function buildMemoryContext(
  store: MemoryStore,
  options: MemoryContextOptions,
): Promise<MemoryContext> {
  const asOf = options.validAt !== undefined || options.knownAt !== undefined;
  const found: { fact: FactRecord; exact: boolean; order: number }[] = [];
  const seen = new Set<string>();
  const add = (fact: FactRecord, exact: boolean) => {
    const id = `${fact.scopeKey}\u0000${fact.entity}\u0000${fact.attribute}`;
    if (seen.has(id)) return;
    seen.add(id);
    found.push({ fact, exact, order: found.length });
  };
  for (const scope of options.scopes) {
    const read = (keys?: readonly FactKey[]) =>
      asOf
        ? store.asOf(options.principal, scope, { validAt: options.validAt, knownAt: options.knownAt }, keys)
        : store.current(options.principal, scope, { keys });
    if (options.keys?.length) for (const fact of read(options.keys)) add(fact, true);
    if (options.query !== undefined && store.index) {
      const hits = await store.search(options.principal, scope, options.query, options.limit ?? 8);
      // The index finds keys; their facts are read again at the asked time, so a later value never leaks back.
      const facts = asOf ? read(hits.map(({ entity, attribute }) => ({ entity, attribute }))) : hits;
      for (const fact of facts) add(fact, false);
    } else if (options.query !== undefined || !options.keys?.length) {
      for (const fact of read()) add(fact, false);
    }
  }
  found.sort(
    (a, b) =>
      Number(b.exact) - Number(a.exact) ||
      kindRank(b.fact.kind) - kindRank(a.fact.kind) ||
      b.fact.authority.weight - a.fact.authority.weight ||
      a.order - b.order,
  );
  const count = options.countTokens ?? estimateTokens;
  const mask = options.mask ?? ((text: string) => text);
  const budget = options.maxTokens ?? 300;
  let tokens = count(HEADER);
  const lines: string[] = [];
  const facts: FactRecord[] = [];
  for (const { fact } of found) {
    const line = mask(renderFact(fact));
    const cost = count(line);
    if (tokens + cost > budget) continue;
    tokens += cost;
    lines.push(line);
    facts.push(fact);
  }
  if (facts.length === 0) return { facts, text: "", tokens: 0, omitted: found.length };
  return { facts, text: [HEADER, ...lines].join("\n"), tokens, omitted: found.length - facts.length };
}
