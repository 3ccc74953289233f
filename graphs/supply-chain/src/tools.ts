import { defineTool } from "@governor/core";
import { z } from "zod";
import type { ErpLedger } from "./erp.js";
import type { PlantRecords } from "./records.js";
import type { VendorOutbox } from "./vendor-outbox.js";

/** The largest order quantity any agent may put into the ERP: above it, a buyer does it by hand. */
export const ERP_HARD_CAP_UNITS = 5000;

const sku = z.string().regex(/^SKU-\d{3}$/, "a SKU looks like SKU-100");
const site = z.string().regex(/^PLANT-\d$/, "a site looks like PLANT-1");
const vendorId = z.string().regex(/^V-\d+$/, "a vendor id looks like V-7");
const incident = z.string().regex(/^INC-\d+$/, "an incident id looks like INC-1041");

/** Stock on hand, demand and target level of one item at one site. */
export function readInventoryTool(records: PlantRecords) {
  return defineTool({
    name: "read_inventory",
    description: "Read an item's stock on hand, daily demand, days of cover and target stock at a site.",
    input: z.object({ sku, site }).strict(),
    scopes: ["inventory:read"],
    risk: "read",
    idempotent: true,
    handler: ({ sku: wanted, site: at }) => {
      const item = records.item(wanted);
      if (!item || item.site !== at) return { sku: wanted, site: at, known: false };
      const { name, onHand, dailyDemand, targetStock, vendorId: supplier } = item;
      const daysOfCover = Math.floor(onHand / dailyDemand);
      return {
        sku: wanted,
        site: at,
        known: true,
        name,
        onHand,
        dailyDemand,
        daysOfCover,
        targetStock,
        vendorId: supplier,
      };
    },
  });
}

/** Inbound shipments of an item, their promised dates and delays. */
export function readShipmentsTool(records: PlantRecords) {
  return defineTool({
    name: "read_shipments",
    description: "Read the inbound shipment history of an item: promised dates, status and delays.",
    input: z.object({ sku }).strict(),
    scopes: ["shipments:read"],
    risk: "read",
    idempotent: true,
    handler: ({ sku: wanted }) => {
      const shipments = records.shipments(wanted);
      return {
        sku: wanted,
        late: shipments.filter((entry) => entry.status !== "delivered").length,
        shipments,
      };
    },
  });
}

/** A draft answer to the vendor, for a buyer to send; it changes nothing in the ERP. */
export function draftVendorResponseTool(outbox: VendorOutbox) {
  return defineTool({
    name: "draft_vendor_response",
    description:
      "Draft a response to a vendor about a late or short delivery, for a buyer to review and send.",
    input: z.object({ incident, vendorId, sku, message: z.string().min(20).max(2000) }).strict(),
    scopes: ["vendors:draft"],
    risk: "write",
    idempotent: false,
    handler: (args) => outbox.draft(args),
  });
}

/**
 * Raises a purchase-order change in the ERP. The value is priced from the item master at run
 * time (quantity × the ERP's unit cost), never taken from the model.
 */
export function updateErpTool(erp: ErpLedger, records: PlantRecords) {
  return defineTool({
    name: "update_erp",
    description: "Raise a purchase-order change in the ERP: order more of an item from its vendor.",
    input: z
      .object({
        sku,
        site,
        vendorId,
        quantity: z
          .number()
          .int()
          .positive()
          .max(ERP_HARD_CAP_UNITS, `orders above ${ERP_HARD_CAP_UNITS} units are never placed by an agent`),
        reason: z.string().min(3).max(500),
      })
      .strict(),
    scopes: ["erp:write"],
    risk: "write",
    idempotent: false,
    handler: ({ sku: item, site: at, vendorId: supplier, quantity }, { idempotencyKey }) => {
      const known = records.item(item);
      // The precondition already refused unknown items; an ERP never prices an order it cannot price.
      if (!known) throw new Error(`item ${item} is not in the item master`);
      const value = quantity * known.unitCost;
      return erp.order({ sku: item, site: at, vendorId: supplier, quantity, value, idempotencyKey });
    },
  });
}
