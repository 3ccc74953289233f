import { defineWorkflow, END, fail, type ProposedCall, pass, START } from "@governor/core";
import type { PolicyEngine } from "@governor/policy";
import { z } from "zod";
import { ErpLedger } from "./erp.js";
import {
  diagnosticAgent,
  executorAgent,
  specialistAgent,
  supplyChainAgent,
  supplyChainApprovers,
} from "./identity.js";
import { supplyChainPolicy } from "./policy.js";
import { type PlantRecords, samplePlantRecords } from "./records.js";
import { specialistRouting, supplyChainRouting } from "./routing.js";
import { DIAGNOSTIC_MARKER, EXECUTOR_MARKER, SPECIALIST_MARKER } from "./scenario.js";
import { draftVendorResponseTool, readInventoryTool, readShipmentsTool, updateErpTool } from "./tools.js";
import { VendorOutbox } from "./vendor-outbox.js";

export const supplyChainState = z.object({
  /** The supply incident this run works: vendor drafts are filed under it. */
  incident: z.string().regex(/^INC-\d+$/),
  site: z.string().regex(/^PLANT-\d$/),
  sku: z.string().regex(/^SKU-\d{3}$/),
  request: z.string().min(1),
  /** The bottleneck the diagnostic flagged, as it handed it on. */
  bottleneck: z.string().optional(),
  draft: z
    .object({
      draftId: z.string(),
      incident: z.string(),
      vendorId: z.string(),
      sku: z.string(),
      message: z.string(),
    })
    .optional(),
  erpChange: z
    .object({ changeId: z.string(), sku: z.string(), quantity: z.number(), value: z.number() })
    .optional(),
  /** The last agent's closing words. */
  summary: z.string().optional(),
});

type SupplyChainState = z.infer<typeof supplyChainState>;

export interface SupplyChainWorkflowOptions {
  readonly records?: PlantRecords;
  /** The ERP the executor changes; tests pass their own to count changes. */
  readonly erp?: ErpLedger;
  /** Where vendor drafts land; tests pass their own to count drafts. */
  readonly outbox?: VendorOutbox;
  /** Another policy engine in place of the supply chain's Cedar policies. */
  readonly policy?: PolicyEngine;
}

/**
 * How an ERP change is governed wherever it is offered: facts from the item master and the
 * vendor outbox (never from the conversation), the manager's approval above the threshold.
 */
function erpChangeGovernance(records: PlantRecords, outbox: VendorOutbox) {
  return {
    check: ({ state, call }: { state: SupplyChainState; call: ProposedCall }) => {
      const { sku, site, vendorId, quantity } = call.args as {
        sku: string;
        site: string;
        vendorId: string;
        quantity: number;
      };
      if (sku !== state.sku) return fail(`the change orders ${sku}, not this run's item ${state.sku}`);
      const item = records.item(sku);
      if (!item || item.site !== site) return fail(`${sku} is not stocked at ${site}`);
      if (vendorId !== item.vendorId)
        return fail(`${vendorId} does not supply ${sku}; ${item.vendorId} does`);
      if (!outbox.hasDraftFor(state.incident, sku))
        return fail(
          `no vendor response is drafted for ${sku} in ${state.incident}: the vendor hears from us before the ERP changes`,
        );
      const room = item.targetStock - item.onHand;
      if (quantity > room)
        return fail(`${quantity} units would take ${sku} past its target stock (room for ${room})`);
      return pass();
    },
    // One read of the item master gives the policy both the item and the change's value.
    facts: (_state: SupplyChainState, call: ProposedCall) => {
      const sku = String(call.args.sku);
      const item = records.item(sku);
      // An item the master does not know cannot be priced: the gate denies (fail closed).
      if (!item) throw new Error(`item ${sku} is not in the item master`);
      return {
        context: { changeValue: Number(call.args.quantity) * item.unitCost },
        resource: { type: "Item", id: sku },
      };
    },
    approval: {
      requiredScope: "approvals:erp",
      summary: (_state: SupplyChainState, call: ProposedCall) => {
        const item = records.item(String(call.args.sku));
        const value = item
          ? `$${(Number(call.args.quantity) * item.unitCost).toLocaleString("en-US")}`
          : "unpriced";
        return `Order ${String(call.args.quantity)} × ${String(call.args.sku)} (${item?.name ?? "unknown item"}) from ${String(call.args.vendorId)}: ${value}`;
      },
    },
    onResult: (_state: SupplyChainState, result: unknown) => ({
      erpChange: result as SupplyChainState["erpChange"],
    }),
  };
}

/**
 * A bottleneck on the plant floor, worked by three agents under one governance: the
 * diagnostic flags it and hands it on, the vendor specialist drafts the vendor's response,
 * the executor changes the ERP. Each acts as its own identity; every tool call and every
 * handoff passes the policy; an ERP change over $10,000 waits for a manager.
 */
export function createSupplyChainWorkflow(options: SupplyChainWorkflowOptions = {}) {
  const records = options.records ?? samplePlantRecords();
  const erp = options.erp ?? new ErpLedger();
  const outbox = options.outbox ?? new VendorOutbox();
  const erpChange = erpChangeGovernance(records, outbox);
  return defineWorkflow({
    name: "supply-chain",
    // The release of this sample's fact code (checks and gate facts read the item master and
    // the outbox). Approvals are bound to it: bump it when that code changes.
    version: "supply-chain-facts-1",
    description:
      "A diagnostic, a vendor specialist and an ERP executor work a stock bottleneck under one governance",
    state: supplyChainState,
    agent: supplyChainAgent,
    tools: [
      readInventoryTool(records),
      readShipmentsTool(records),
      draftVendorResponseTool(outbox),
      updateErpTool(erp, records),
    ],
    approvers: supplyChainApprovers,
    policy: options.policy ?? supplyChainPolicy,
    nodes: {
      diagnostic: {
        kind: "agent",
        description: "Reads stock and shipments, flags the bottleneck, hands it on",
        instructions: `${DIAGNOSTIC_MARKER}. Find out why an item is short: read its stock and its inbound shipments, say what the bottleneck is, then hand it to the agent who can act on it.`,
        input: ({ incident, site, sku, request }) =>
          `Incident ${incident} at ${site}, SKU ${sku}: ${request}`,
        tools: ["read_inventory", "read_shipments"],
        maxTurns: 4,
        agent: diagnosticAgent,
        handoffs: ["specialist", "executor"],
        models: supplyChainRouting,
        govern: {
          handoff_to_specialist: {
            sufficient: {
              reason: "a handoff changes nothing outside the run: policy decides who may make it",
            },
            onResult: (_state, result) => ({ bottleneck: String((result as { task?: unknown }).task ?? "") }),
          },
          handoff_to_executor: {
            // Read from the outbox, not the conversation: the model cannot claim a draft into being.
            context: ({ incident, sku }) => ({ draftReady: outbox.hasDraftFor(incident, sku) }),
            sufficient: {
              reason: "a handoff changes nothing outside the run: policy decides who may make it",
            },
          },
        },
        onReply: (_state, text) => ({ summary: text }),
      },
      specialist: {
        kind: "agent",
        description: "Drafts the vendor's response; may not change the ERP",
        instructions: `${SPECIALIST_MARKER}. Draft a firm, polite response to the vendor about the late deliveries, then hand the order to the executor.`,
        // Offered on purpose, though its identity holds no erp:write: what stops the specialist
        // is its scopes at the gate, not a tool list someone could widen by mistake.
        tools: ["draft_vendor_response", "update_erp"],
        maxTurns: 4,
        agent: specialistAgent,
        handoffs: ["executor"],
        models: specialistRouting,
        govern: {
          draft_vendor_response: {
            check: ({ state, call }) => {
              const vendor = records.vendor(String(call.args.vendorId));
              if (!vendor) return fail(`vendor ${String(call.args.vendorId)} is unknown`);
              if (call.args.incident !== state.incident)
                return fail(
                  `the draft is filed under ${String(call.args.incident)}, not this run's ${state.incident}`,
                );
              if (call.args.sku !== state.sku || !vendor.supplies.includes(state.sku))
                return fail(`${vendor.id} does not supply this run's item ${state.sku}`);
              return pass();
            },
            onResult: (_state, result) => ({ draft: result as SupplyChainState["draft"] }),
          },
          update_erp: erpChange,
          handoff_to_executor: {
            context: ({ incident, sku }) => ({ draftReady: outbox.hasDraftFor(incident, sku) }),
            sufficient: {
              reason: "a handoff changes nothing outside the run: policy decides who may make it",
            },
          },
        },
        onReply: (_state, text) => ({ summary: text }),
      },
      executor: {
        kind: "agent",
        description: "Changes the ERP; large changes wait for a manager",
        instructions: `${EXECUTOR_MARKER}. Raise the purchase-order change the bottleneck needs, no more than brings the item to its target stock, and report what changed.`,
        tools: ["update_erp"],
        maxTurns: 3,
        agent: executorAgent,
        models: supplyChainRouting,
        govern: { update_erp: erpChange },
        onReply: (_state, text) => ({ summary: text }),
      },
    },
    edges: [
      [START, "diagnostic"],
      ["diagnostic", END],
      ["specialist", END],
      ["executor", END],
    ],
  });
}
