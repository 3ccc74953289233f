import type { PolicyDecision } from "./decision.js";

/** How many decisions one engine keeps by default. */
export const DEFAULT_DECISION_CACHE_ENTRIES = 4096;

/**
 * Requests whose key is longer than this are decided afresh and not kept: a few large
 * argument payloads must not hold megabytes of memory for a hit that is unlikely anyway.
 */
export const MAX_CACHED_KEY_CHARS = 4096;

/**
 * A bounded, least-recently-used map from a request's exact key to the decision an engine
 * gave it. The key must hold everything the decision depends on (see
 * `CedarPolicyEngine.decide`: the JSON text Cedar itself reads, plus the policy version), so
 * a hit is the answer the engine would compute again, never an approximation.
 *
 * Decisions are frozen on the way in: a caller that mutated one would otherwise change
 * what every later hit returns.
 */
export class DecisionCache {
  readonly #entries = new Map<string, PolicyDecision>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_DECISION_CACHE_ENTRIES) {
    this.#capacity = Math.max(0, Math.floor(capacity));
  }

  /** The number of decisions held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The decision kept under `key`, marked as the most recently used; undefined on a miss. */
  get(key: string): PolicyDecision | undefined {
    const hit = this.#entries.get(key);
    if (hit === undefined) return undefined;
    // Map iteration follows insertion order: re-inserting moves the entry to the young end.
    this.#entries.delete(key);
    this.#entries.set(key, hit);
    return hit;
  }

  /** Keeps `decision` under `key` (frozen, with its lists), evicting the least recently used beyond capacity. */
  set(key: string, decision: PolicyDecision): PolicyDecision {
    const frozen = freezeDecision(decision);
    if (this.#capacity === 0 || key.length > MAX_CACHED_KEY_CHARS) return frozen;
    this.#entries.delete(key);
    this.#entries.set(key, frozen);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return frozen;
  }

  clear(): void {
    this.#entries.clear();
  }
}

function freezeDecision(decision: PolicyDecision): PolicyDecision {
  return Object.freeze({
    ...decision,
    reasons: Object.freeze([...decision.reasons]),
    policyIds: Object.freeze([...decision.policyIds]),
  });
}
