import { AUDIT_SCHEMA_SQL } from "../audit/audit-schema.js";
import type { Migration } from "./migration.js";

/** The audit journal's chain and signed head (see `AUDIT_SCHEMA_SQL` for why each column is as it is). */
export const auditJournal: Migration = {
  version: 2,
  name: "audit journal",
  up: AUDIT_SCHEMA_SQL,
};
