/** A shipment waiting for a carrier, as the transport system holds it. */
export interface Shipment {
  readonly id: string;
  /** The delivery zone: the carrier rule on record is per zone. */
  readonly zone: string;
  readonly destination: string;
  readonly pallets: number;
}

/** A carrier booking the transport system really made. */
export interface Booking {
  readonly bookingId: string;
  readonly shipmentId: string;
  readonly carrier: string;
  readonly idempotencyKey: string;
}

/** The carriers Acme has contracts with: a booking names one of these or none. */
export const CARRIERS = [
  "Carrier X",
  "Carrier Y",
  "Carrier Z",
  "Regional Couriers",
  "Standard Freight",
] as const;

/** What the dispatcher books when no carrier rule is on record for a zone (always with a lead's approval). */
export const DEFAULT_CARRIER = "Standard Freight";

const SHIPMENTS: readonly Shipment[] = [
  { id: "SH-101", zone: "B", destination: "Bergen", pallets: 4 },
  { id: "SH-102", zone: "B", destination: "Stavanger", pallets: 12 },
  { id: "SH-103", zone: "B", destination: "Haugesund", pallets: 6 },
  { id: "SH-104", zone: "B", destination: "Bergen", pallets: 9 },
  { id: "SH-105", zone: "B", destination: "Førde", pallets: 3 },
  { id: "SH-106", zone: "B", destination: "Stavanger", pallets: 7 },
];

/**
 * The transport system: the shipments waiting for a carrier and the bookings made. It is the
 * side effect governance controls; tests count its bookings to prove what did and did not happen.
 */
export class DispatchDesk {
  readonly bookings: Booking[] = [];

  shipment(id: string): Shipment | undefined {
    return SHIPMENTS.find((shipment) => shipment.id === id);
  }

  /** Books a carrier; the same idempotency key books once, whatever retries the gateway makes. */
  book(entry: Omit<Booking, "bookingId">): Booking {
    const done = this.bookings.find((booking) => booking.idempotencyKey === entry.idempotencyKey);
    if (done) return done;
    const record = { bookingId: `BK-${this.bookings.length + 1}`, ...entry };
    this.bookings.push(record);
    return record;
  }
}
