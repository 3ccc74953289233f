import type Database from "better-sqlite3";
import { type FactRecord, type FactScope, type FactSource, type FactValue, foldedName } from "./fact.js";

/**
 * The facts table: the source of truth for status and both clocks. Mem0 (the vector index)
 * only says which keys are relevant; whether a fact is current is always read here.
 * Times are ISO strings in UTC (`toISOString()`), so they compare as text.
 */
export function createFactTables(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS memory_facts (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      scope_key TEXT NOT NULL,
      scope TEXT NOT NULL,
      entity TEXT NOT NULL,
      attribute TEXT NOT NULL,
      -- The key as compared (foldedName): spellings that differ only in case are one key.
      entity_key TEXT NOT NULL,
      attribute_key TEXT NOT NULL,
      value TEXT NOT NULL,
      kind TEXT NOT NULL,
      authority_by TEXT NOT NULL,
      authority_weight INTEGER NOT NULL,
      source TEXT NOT NULL,
      valid_from TEXT NOT NULL,
      valid_to TEXT,
      valid_to_before TEXT,
      recorded_at TEXT NOT NULL,
      superseded_at TEXT,
      superseded_by TEXT,
      status TEXT NOT NULL CHECK (status IN ('active', 'superseded', 'deleted'))
    );
    CREATE INDEX IF NOT EXISTS memory_facts_key ON memory_facts (scope_key, entity_key, attribute_key, seq);
    CREATE INDEX IF NOT EXISTS memory_facts_recorded ON memory_facts (scope_key, recorded_at);
    -- One current belief per key: two concurrent writers cannot both make a key active.
    CREATE UNIQUE INDEX IF NOT EXISTS memory_facts_one_active
      ON memory_facts (scope_key, entity_key, attribute_key) WHERE status = 'active';
    CREATE TABLE IF NOT EXISTS memory_proposals (
      id TEXT PRIMARY KEY,
      scope_key TEXT NOT NULL,
      entity TEXT NOT NULL,
      attribute TEXT NOT NULL,
      thread_id TEXT NOT NULL,
      node TEXT NOT NULL,
      write TEXT NOT NULL,
      against TEXT NOT NULL,
      call_hash TEXT NOT NULL,
      request TEXT NOT NULL,
      principal TEXT NOT NULL,
      created_at TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'applied', 'rejected', 'stale')),
      decided_at TEXT,
      decided_by TEXT
    );
    CREATE INDEX IF NOT EXISTS memory_proposals_pending ON memory_proposals (status, scope_key);
    -- Batches written under a key (a graph node's task): a re-run of the task returns these events, writes nothing.
    CREATE TABLE IF NOT EXISTS memory_batches (
      batch_key TEXT PRIMARY KEY,
      events TEXT NOT NULL,
      audit_seq INTEGER NOT NULL
    );
    -- Changes the vector index still has to take (written in the same transaction as the facts).
    CREATE TABLE IF NOT EXISTS memory_index_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      scope_key TEXT NOT NULL,
      entity TEXT NOT NULL,
      attribute TEXT NOT NULL,
      text TEXT
    );
  `);
}

export interface FactRow {
  seq: number;
  id: string;
  scope_key: string;
  scope: string;
  entity: string;
  attribute: string;
  entity_key: string;
  attribute_key: string;
  value: string;
  kind: string;
  authority_by: string;
  authority_weight: number;
  source: string;
  valid_from: string;
  valid_to: string | null;
  valid_to_before: string | null;
  recorded_at: string;
  superseded_at: string | null;
  superseded_by: string | null;
  status: string;
}

export function toFactRecord(row: FactRow): FactRecord {
  return {
    id: row.id,
    scope: JSON.parse(row.scope) as FactScope,
    scopeKey: row.scope_key,
    entity: row.entity,
    attribute: row.attribute,
    value: JSON.parse(row.value) as FactValue,
    kind: row.kind as FactRecord["kind"],
    authority: { by: row.authority_by, weight: row.authority_weight },
    source: JSON.parse(row.source) as FactSource,
    validFrom: row.valid_from,
    ...(row.valid_to !== null ? { validTo: row.valid_to } : {}),
    ...(row.valid_to_before !== null ? { validToBefore: row.valid_to_before } : {}),
    recordedAt: row.recorded_at,
    ...(row.superseded_at !== null ? { supersededAt: row.superseded_at } : {}),
    ...(row.superseded_by !== null ? { supersededBy: row.superseded_by } : {}),
    status: row.status as FactRecord["status"],
  };
}

export function toFactRow(record: FactRecord): Omit<FactRow, "seq"> {
  return {
    id: record.id,
    scope_key: record.scopeKey,
    scope: JSON.stringify(record.scope),
    entity: record.entity,
    attribute: record.attribute,
    entity_key: foldedName(record.entity),
    attribute_key: foldedName(record.attribute),
    value: JSON.stringify(record.value),
    kind: record.kind,
    authority_by: record.authority.by,
    authority_weight: record.authority.weight,
    source: JSON.stringify(record.source),
    valid_from: record.validFrom,
    valid_to: record.validTo ?? null,
    valid_to_before: record.validToBefore ?? null,
    recorded_at: record.recordedAt,
    superseded_at: record.supersededAt ?? null,
    superseded_by: record.supersededBy ?? null,
    status: record.status,
  };
}

/**
 * The bi-temporal visibility rule, as SQL over `f`: a record is what Governor believed at
 * `:known` about the world at `:valid` when it was recorded by then, had begun by `:valid`, and
 * had not ended by `:valid` — where its end is the one it carried at `:known` (closed by then:
 * `valid_to`; not yet closed: `valid_to_before`). A retraction or supersession recorded after
 * `:known` therefore does not change what was believed at `:known`.
 */
export const VISIBLE_AT = `f.recorded_at <= :known AND f.valid_from <= :valid AND COALESCE(
  CASE WHEN f.superseded_at IS NOT NULL AND f.superseded_at <= :known THEN f.valid_to ELSE f.valid_to_before END,
  '9999-12-31T23:59:59.999Z'
) > :valid`;
