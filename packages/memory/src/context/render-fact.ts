import type { FactRecord } from "../fact.js";
import { factText } from "../fact-text.js";

/** One line of context: `- [mandate · ops-director, weight 90] zone B carrier: Carrier X (since 2026-03-01)`. */
export function renderFact(fact: FactRecord): string {
  const since = fact.validFrom.slice(0, 10);
  const until = fact.validTo ? `, until ${fact.validTo.slice(0, 10)}` : "";
  return `- [${fact.kind} · ${fact.authority.by}, weight ${fact.authority.weight}] ${factText(fact)} (since ${since}${until})`;
}
