import type { Migration } from "./migration.js";

/**
 * The stores that were SQLite tables in `governor.db`, with the same columns. Times are
 * timestamptz (read back as ISO strings); JSON values (effect results, principals, a queued
 * run's input, a kept answer) are text holding `JSON.stringify` output, so they read back
 * exactly as written, key order included.
 */
export const governorStores: Migration = {
  version: 1,
  name: "governor stores",
  up: `
CREATE TABLE effects (
  key TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL,
  tool TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('started', 'committed', 'failed')),
  result TEXT,
  error TEXT,
  reason TEXT,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ
);
CREATE INDEX effects_by_thread ON effects (thread_id);

CREATE TABLE approval_uses (
  jti TEXT PRIMARY KEY,
  thread_id TEXT NOT NULL,
  node TEXT NOT NULL,
  call_id TEXT NOT NULL,
  used_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE kill_switches (
  scope TEXT COLLATE "C" PRIMARY KEY,
  reason TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  engaged_by TEXT
);

CREATE TABLE revoked_delegations (
  jti TEXT PRIMARY KEY,
  reason TEXT NOT NULL,
  at TIMESTAMPTZ NOT NULL,
  revoked_by TEXT
);

CREATE TABLE spend_ledger (
  principal TEXT COLLATE "C" NOT NULL,
  day TEXT NOT NULL,
  thread_id TEXT NOT NULL,
  cost_usd DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (principal, day, thread_id)
);
CREATE INDEX spend_ledger_by_day ON spend_ledger (day);

-- Thread ids compare byte by byte (collation "C"), as SQLite's do: a prefix lookup walks the
-- primary key from the prefix on, and the ids that share it come right after.
CREATE TABLE runs (
  thread_id TEXT COLLATE "C" PRIMARY KEY,
  workflow TEXT NOT NULL,
  source TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'waiting', 'completed', 'failed')),
  principal TEXT NOT NULL,
  error TEXT,
  input TEXT,
  answer TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
-- Listings are newest first, filtered and paged: the index walks them in order.
CREATE INDEX runs_by_created ON runs (created_at, thread_id);
CREATE INDEX runs_by_status ON runs (status, created_at);

CREATE TABLE run_leases (
  thread_id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  until BIGINT NOT NULL
);
`,
};
