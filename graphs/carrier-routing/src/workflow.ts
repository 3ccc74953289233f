import { defineWorkflow, END, fail, pass, START } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { z } from "zod";
import { CARRIERS, DEFAULT_CARRIER, DispatchDesk } from "./dispatch-desk.js";
import { dispatchAgent, dispatchApprovers, TENANT } from "./identity.js";
import { carrierKey, mandateInFacts, mandateInStore } from "./mandate.js";
import { carrierRoutingPolicy } from "./policy.js";
import { DISPATCH_MARKER } from "./scenario.js";
import { SPEAKER_NAMES } from "./speakers.js";
import { speakerAuthority, statementMessage } from "./statement.js";
import { bookShipmentTool } from "./tools.js";

const factView = z.looseObject({
  entity: z.string(),
  attribute: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]),
  kind: z.string(),
});

export const carrierRoutingState = z.object({
  /** The day of the statement and the shipment, `YYYY-MM-DD`. */
  day: z.iso.date(),
  /** Who spoke at the desk today, and what they said: the memory-write step remembers it. */
  speaker: z.enum(SPEAKER_NAMES),
  says: z.string().min(1).max(2000),
  /** The shipment the dispatch agent routes today. */
  shipmentId: z.string().regex(/^SH-\d{3}$/),
  /** What each fact write did (ADD, UPDATE, DELETE, NONE; applied, refused or waiting). */
  memoryEvents: z.array(z.looseObject({ event: z.string(), status: z.string() })).optional(),
  /** The zone's carrier facts as read for the gate (current only). */
  rules: z.string().optional(),
  ruleFacts: z.array(factView).optional(),
  booking: z.object({ bookingId: z.string(), shipmentId: z.string(), carrier: z.string() }).optional(),
  summary: z.string().optional(),
});

type CarrierRoutingState = z.infer<typeof carrierRoutingState>;

export interface CarrierRoutingWorkflowOptions {
  /** The transport system bookings land in; tests pass their own to count bookings. */
  readonly desk?: DispatchDesk;
  /** Another policy engine in place of the desk's Cedar policies. */
  readonly policy?: PolicyEngine;
}

/**
 * Acme's dispatch desk: each day someone says something about carriers and a shipment is
 * routed. What was said is remembered as facts (ADD, UPDATE, DELETE, NONE, with the speaker's
 * authority: a planner's brainstorm never replaces the ops director's rule); the dispatch agent
 * is given the zone's current carrier facts only, and a booking that does not follow the
 * current mandate waits for a dispatch lead.
 */
export function createCarrierRoutingWorkflow(options: CarrierRoutingWorkflowOptions = {}) {
  const desk = options.desk ?? new DispatchDesk();
  const zoneOf = (state: CarrierRoutingState) => desk.shipment(state.shipmentId)?.zone;
  // Always one exact key: no keys would read the whole partition. A shipment the desk does not
  // know reads a zone that has no facts (and its booking fails the check).
  const zoneKeys = (state: CarrierRoutingState) => [carrierKey(zoneOf(state) ?? "(unknown)")];
  return defineWorkflow({
    name: "carrier-routing",
    // The release of this sample's fact code (the gate reads the zone from the desk and the
    // mandate from the memory read). Approvals are bound to it: bump it when that code changes.
    version: "carrier-routing-facts-1",
    description:
      "A dispatch agent routes shipments by the carrier rule in memory, kept current as the rule changes",
    state: carrierRoutingState,
    agent: dispatchAgent,
    tools: [bookShipmentTool(desk)],
    approvers: dispatchApprovers,
    policy: options.policy ?? carrierRoutingPolicy,
    nodes: {
      remember: {
        kind: "memory-write",
        description: "Remember what was said today: a suggestion, a rule, a change, a retraction",
        // The run's model extracts the facts (the scripted one offline); the authority is the
        // speaker's, from the desk's directory.
        extract: {
          scope: { tenant: TENANT },
          from: (state) => [statementMessage(state)],
          authorityOf: speakerAuthority,
        },
        into: "memoryEvents",
      },
      read_rules: {
        kind: "memory-read",
        description: "Read the zone's current carrier facts for the booking gate",
        scopes: [{ tenant: TENANT }],
        keys: zoneKeys,
        into: "rules",
        factsInto: "ruleFacts",
      },
      dispatch: {
        kind: "agent",
        description: "Books a carrier for the shipment, following the zone's carrier rule",
        instructions: `${DISPATCH_MARKER}. Book a carrier for the shipment with book_shipment. Follow the carrier mandate on record for its zone; a suggestion is not a rule. With no mandate on record, book ${DEFAULT_CARRIER}, our default, for a dispatch lead to confirm.`,
        input: (state) => {
          const shipment = desk.shipment(state.shipmentId);
          return shipment
            ? `Route shipment ${shipment.id}: Zone ${shipment.zone}, ${shipment.pallets} pallets to ${shipment.destination}.`
            : `Route shipment ${state.shipmentId}.`;
        },
        // Only the zone's carrier facts, current at each turn: superseded and retracted ones never.
        memory: { scopes: [{ tenant: TENANT }], keys: zoneKeys, maxTokens: 200 },
        tools: ["book_shipment"],
        maxTurns: 3,
        govern: {
          book_shipment: {
            check: ({ state, call }) => {
              const shipment = desk.shipment(String(call.args.shipmentId));
              if (!shipment) return fail(`shipment ${String(call.args.shipmentId)} does not exist`);
              if (shipment.id !== state.shipmentId)
                return fail(`the booking is for ${shipment.id}, not today's shipment ${state.shipmentId}`);
              if (!(CARRIERS as readonly string[]).includes(String(call.args.carrier)))
                return fail(`Acme has no contract with ${String(call.args.carrier)}`);
              return pass();
            },
            facts: (_state, call, env) => {
              const shipment = desk.shipment(String(call.args.shipmentId));
              // A shipment the desk does not know has no zone to route by: the gate denies.
              if (!shipment)
                throw new Error(`shipment ${String(call.args.shipmentId)} is not in the transport system`);
              // The rule is read from the store the run was compiled with, never from the run's
              // state (which a caller can write): without a store the gate cannot decide, and denies.
              if (!env.memory) throw new Error("no memory store to read the zone's carrier rule from");
              const mandate = mandateInStore(env.memory, shipment.zone);
              return {
                context: {
                  zone: shipment.zone,
                  ...(mandate === undefined ? {} : { mandatedCarrier: mandate }),
                },
                resource: { type: "Shipment", id: shipment.id },
              };
            },
            approval: {
              requiredScope: "approvals:dispatch",
              summary: (state, call) => {
                // Words for the approver, from the run's read_rules step; the decision read the store.
                const mandate = mandateInFacts(state.ruleFacts, desk.shipment(state.shipmentId)?.zone ?? "?");
                return `Book ${String(call.args.shipmentId)} with ${String(call.args.carrier)}: ${mandate ? `the rule says ${mandate}` : "no carrier rule is on record"}`;
              },
            },
            onResult: (_state, result) => ({ booking: result as CarrierRoutingState["booking"] }),
          },
        },
        onReply: (_state, text) => ({ summary: text }),
      },
    },
    edges: [
      [START, "remember"],
      ["remember", "read_rules"],
      ["read_rules", "dispatch"],
      ["dispatch", END],
    ],
  });
}
