/**
 * The plant's systems of record as the sample's stand-in: item master and stock levels,
 * inbound shipments and vendors. Plain data, read by the read tools and by the facts the
 * gate and the checks use, never by the model directly.
 */
export interface Item {
  readonly sku: string;
  readonly name: string;
  readonly site: string;
  readonly vendorId: string;
  /** What one unit costs from its vendor, in US dollars: the ERP's price, not the model's. */
  readonly unitCost: number;
  readonly onHand: number;
  readonly dailyDemand: number;
  /** The stock level a reorder brings the item back to. */
  readonly targetStock: number;
}

export interface Shipment {
  readonly id: string;
  readonly sku: string;
  readonly vendorId: string;
  readonly quantity: number;
  readonly promised: string;
  readonly status: "delivered" | "late" | "in-transit";
  readonly delayDays: number;
}

export interface Vendor {
  readonly id: string;
  readonly name: string;
  readonly supplies: readonly string[];
}

export interface PlantRecords {
  item(sku: string): Item | undefined;
  shipments(sku: string): readonly Shipment[];
  vendor(vendorId: string): Vendor | undefined;
}

const ITEMS: readonly Item[] = [
  {
    sku: "SKU-100",
    name: "6205 deep-groove bearing",
    site: "PLANT-1",
    vendorId: "V-7",
    unitCost: 12,
    onHand: 140,
    dailyDemand: 60,
    targetStock: 440,
  },
  {
    sku: "SKU-200",
    name: "750 W servo motor",
    site: "PLANT-1",
    vendorId: "V-9",
    unitCost: 240,
    onHand: 30,
    dailyDemand: 15,
    targetStock: 180,
  },
];

const VENDORS: readonly Vendor[] = [
  { id: "V-7", name: "Kestrel Components", supplies: ["SKU-100"] },
  { id: "V-9", name: "Norvik Drives", supplies: ["SKU-200"] },
];

/** A short history for the bearing: one late container. */
const BEARING_SHIPMENTS: readonly Shipment[] = [
  shipment("SH-1001", "SKU-100", "V-7", 400, "2026-10-06", "delivered", 0),
  shipment("SH-1002", "SKU-100", "V-7", 400, "2026-10-20", "delivered", 1),
  shipment("SH-1003", "SKU-100", "V-7", 400, "2026-11-17", "late", 9),
];

/**
 * Three years of weekly servo deliveries, the last four late: a history long enough that the
 * diagnostic's conversation outgrows the fast model's window once it has read it.
 */
const SERVO_SHIPMENTS: readonly Shipment[] = Array.from({ length: 40 }, (_, index) => {
  const late = index >= 36;
  const day = new Date(Date.UTC(2026, 0, 5 + index * 7)).toISOString().slice(0, 10);
  return shipment(
    `SH-2${String(index + 1).padStart(3, "0")}`,
    "SKU-200",
    "V-9",
    60,
    day,
    late ? (index === 39 ? "in-transit" : "late") : "delivered",
    late ? 6 + (index - 36) * 3 : index % 5 === 0 ? 1 : 0,
  );
});

function shipment(
  id: string,
  sku: string,
  vendorId: string,
  quantity: number,
  promised: string,
  status: Shipment["status"],
  delayDays: number,
): Shipment {
  return { id, sku, vendorId, quantity, promised, status, delayDays };
}

export function samplePlantRecords(): PlantRecords {
  const shipments = [...BEARING_SHIPMENTS, ...SERVO_SHIPMENTS];
  return {
    item: (sku) => ITEMS.find((item) => item.sku === sku),
    shipments: (sku) => shipments.filter((entry) => entry.sku === sku),
    vendor: (vendorId) => VENDORS.find((vendor) => vendor.id === vendorId),
  };
}
