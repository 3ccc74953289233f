import type { FactRecord } from "./fact.js";

/** The sentence a fact is embedded and shown as: `carrier zone B: Carrier X`. */
export function factText(fact: Pick<FactRecord, "entity" | "attribute" | "value">): string {
  return `${fact.entity} ${fact.attribute}: ${String(fact.value)}`;
}
