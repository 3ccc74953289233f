import { defineTool } from "@governor/core";
import { z } from "zod";
import type { DispatchDesk } from "./dispatch-desk.js";

const shipmentId = z.string().regex(/^SH-\d{3}$/, "a shipment id looks like SH-101");

/**
 * Books a carrier for a shipment: the one side effect of the sample. The tool names no carrier
 * (its description and schema are part of every prompt, and the model must learn the carrier
 * from memory alone); the workflow's check refuses a carrier Acme has no contract with, and
 * the policy decides which may run without a human (the zone's current carrier mandate).
 */
export function bookShipmentTool(desk: DispatchDesk) {
  return defineTool({
    name: "book_shipment",
    description: "Book a carrier for a shipment, by the carrier's name.",
    input: z
      .object({
        shipmentId,
        carrier: z.string().trim().min(1, "carrier is empty").max(60, "carrier is longer than 60 characters"),
      })
      .strict(),
    scopes: ["shipments:book"],
    risk: "write",
    // The desk deduplicates by key, so a retry or a resumed run books once.
    idempotent: true,
    handler: ({ shipmentId: id, carrier }, { idempotencyKey }) => {
      // The key stays between Governor and the desk: the model is told what was booked.
      const booking = desk.book({ shipmentId: id, carrier, idempotencyKey });
      return { bookingId: booking.bookingId, shipmentId: booking.shipmentId, carrier: booking.carrier };
    },
  });
}
