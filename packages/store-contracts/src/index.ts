/**
 * One conformance suite per store interface, run against every backend (the embedded SQLite
 * store and PostgreSQL) so the two cannot drift. Each registers vitest cases on the
 * interface alone, awaiting every call: a backend passes by answering as the others do.
 */
export { describeApprovalUsesContract } from "./approval-uses-contract.js";
export {
  type AuditColumn,
  type AuditJournalUnderTest,
  type AuditTamper,
  describeAuditJournalContract,
  type OpenAuditJournal,
} from "./audit-journal-contract.js";
export { describeEffectJournalContract } from "./effect-journal-contract.js";
export { describeKillSwitchContract } from "./kill-switch-contract.js";
export { describeLeaseStoreContract } from "./lease-store-contract.js";
export type { OpenedStore, OpenStore } from "./opened-store.js";
export { describeRunStoreContract } from "./run-store-contract.js";
export { describeSpendLedgerContract } from "./spend-ledger-contract.js";
