import { agentPrincipal } from "@governor/identity";
import type { MemoryStore } from "@governor/memory";
import { dispatchAgent, TENANT } from "./identity.js";

/** The memory key of a zone's carrier rule. */
export function carrierKey(zone: string) {
  return { entity: `Zone ${zone}`, attribute: "carrier" };
}

/** A fact as the memory-read step leaves it in the run's state. */
export interface FactView {
  readonly entity: string;
  readonly attribute: string;
  readonly value: string | number | boolean;
  readonly kind: string;
}

// The gate reads as the dispatch agent itself: the tenant's rule, whoever the run acts for.
const gateReader = agentPrincipal(dispatchAgent.id, dispatchAgent.scopes, dispatchAgent.roles);

/**
 * The zone's current carrier mandate, read from the store when the gate decides (the system
 * of record: a thread's state can be edited, and a run can be started at the agent with a
 * forged state, so a store is the only source a booking's policy should trust).
 * A suggestion, a retracted rule or nothing at all is no mandate.
 *
 * @throws {GovernorError} MEMORY_SCOPE_DENIED if the dispatch agent lost its memory scopes
 * (the gate then denies the booking).
 */
export function mandateInStore(memory: MemoryStore, zone: string): string | undefined {
  const [fact] = memory.current(gateReader, { tenant: TENANT }, { keys: [carrierKey(zone)] });
  return fact?.kind === "mandate" ? String(fact.value) : undefined;
}

/** The zone's mandate among the facts the run's memory-read step put in its state. */
export function mandateInFacts(facts: readonly FactView[] | undefined, zone: string): string | undefined {
  const { entity, attribute } = carrierKey(zone);
  const fact = facts?.find(
    (record) => record.entity === entity && record.attribute === attribute && record.kind === "mandate",
  );
  return fact === undefined ? undefined : String(fact.value);
}
