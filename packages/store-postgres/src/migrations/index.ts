import { governorStores } from "./0001-governor-stores.js";
import { auditJournal } from "./0002-audit-journal.js";
import type { Migration } from "./migration.js";

export type { Migration } from "./migration.js";

/** Every migration this version of Governor knows, in order. Append; never edit or reorder one that shipped. */
export const MIGRATIONS: readonly Migration[] = [governorStores, auditJournal];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;
