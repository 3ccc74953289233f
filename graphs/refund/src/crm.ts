/** The sample's stand-in for a CRM and an order system: plain data, read by the load step. */
export interface Account {
  readonly id: string;
  readonly name: string;
  readonly flagged: boolean;
  readonly flagReason?: string;
}

export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly item: string;
  readonly total: number;
  readonly refunded: number;
}

export interface Crm {
  account(customerId: string): Account | undefined;
  order(orderId: string): Order | undefined;
}

const ACCOUNTS: readonly Account[] = [
  { id: "C-100", name: "Dana Whitfield", flagged: false },
  { id: "C-300", name: "Mallory Cole", flagged: true, flagReason: "open chargeback-fraud investigation" },
];

const ORDERS: readonly Order[] = [
  { id: "A-1001", customerId: "C-100", item: "desk lamp", total: 150, refunded: 0 },
  { id: "A-1002", customerId: "C-100", item: "laptop", total: 1499, refunded: 0 },
  { id: "A-3001", customerId: "C-300", item: "headphones", total: 80, refunded: 0 },
];

export function sampleCrm(): Crm {
  return {
    account: (customerId) => ACCOUNTS.find((account) => account.id === customerId),
    order: (orderId) => ORDERS.find((order) => order.id === orderId),
  };
}
