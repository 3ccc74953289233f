export { sealRecord, verifyChain } from "./audit-chain.js";
export type { AuditEntry, AuditJournal, AuditKind, AuditRecord, AuditVerification } from "./audit-record.js";
export { GENESIS_HASH } from "./audit-record.js";
export { canonicalJson, hashOf, sha256Hex } from "./canonical-json.js";
export { SqliteAuditJournal } from "./sqlite-audit-journal.js";
