import { GovernorError } from "@governor/errors";
import { agentPrincipal, hs256Keys, signApprovalDecision } from "@governor/identity";
import type { AssertFact, FactWrite, MemoryApprovalRequest, RetractFact } from "@governor/memory";
import { MemoryStore } from "@governor/memory";
import { SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { expect } from "vitest";

/**
 * One memory store for an attack, on an in-memory SQLite database that its audit journal
 * shares (as in `GovernorStore`, so a batch and its audit record commit together), with a
 * clock the test moves. `rows()` reads the tables directly: the real effect a test counts.
 */

export const memoryKeys = hs256Keys("red-team-memory-secret-that-is-long-enough-0123456789");
export const acme = { tenant: "acme" } as const;
export const director = { by: "ops-director", weight: 90 } as const;
export const planner = { by: "planner", weight: 40 } as const;
export const chat = { by: "chat", weight: 10 } as const;
export const source = { type: "message", threadId: "t-1" } as const;
/** An agent that may write acme's tenant-wide memory (and so read it). */
export const router = agentPrincipal("router", ["memory:write:acme", "memory:attest:*:100"]);
/** The only approver the tests' registry knows. */
export const approvers = (id: string) => id === "sam";

export interface MemoryFixture {
  readonly db: Database.Database;
  readonly audit: SqliteAuditJournal;
  readonly store: MemoryStore;
  /** The store's clock: every write and default `asOf` reads it. */
  clock: Date;
  tick(minutes?: number): Date;
  /** Rows of the facts table, in the order written. */
  rows(): FactRow[];
  /** (entity, attribute) pairs of a partition that have more than one active record. */
  doubleActive(): { scope_key: string; entity: string; attribute: string; n: number }[];
  /** Audit records of kind memory, as outcomes. */
  memoryAudit(): string[];
  /** Memory proposals, with their status. */
  proposals(): { id: string; status: string; scope_key: string }[];
  close(): void;
}

export interface FactRow {
  seq: number;
  id: string;
  scope_key: string;
  entity: string;
  attribute: string;
  value: string;
  kind: string;
  authority_by: string;
  authority_weight: number;
  status: string;
  valid_from: string;
  valid_to: string | null;
  recorded_at: string;
  superseded_at: string | null;
  superseded_by: string | null;
}

export function memoryFixture(options: { tenants?: readonly string[]; file?: string } = {}): MemoryFixture {
  const db = new Database(options.file ?? ":memory:");
  const audit = new SqliteAuditJournal(db);
  const fixture: MemoryFixture = {
    db,
    audit,
    clock: new Date("2026-03-01T09:00:00.000Z"),
    store: undefined as unknown as MemoryStore,
    tick(minutes = 1) {
      fixture.clock = new Date(fixture.clock.getTime() + minutes * 60_000);
      return fixture.clock;
    },
    rows: () => db.prepare("SELECT * FROM memory_facts ORDER BY seq").all() as FactRow[],
    doubleActive: () =>
      db
        .prepare(`SELECT scope_key, entity, attribute, COUNT(*) AS n FROM memory_facts WHERE status = 'active'
          GROUP BY scope_key, entity, attribute HAVING n > 1`)
        .all() as { scope_key: string; entity: string; attribute: string; n: number }[],
    memoryAudit: () =>
      audit
        .list()
        .filter((record) => record.kind === "memory")
        .map((record) => record.outcome),
    proposals: () =>
      db.prepare("SELECT id, status, scope_key FROM memory_proposals ORDER BY created_at").all() as {
        id: string;
        status: string;
        scope_key: string;
      }[],
    close: () => db.close(),
  };
  (fixture as { store: MemoryStore }).store = new MemoryStore(db, {
    audit,
    tokenKeys: memoryKeys,
    now: () => fixture.clock,
    ...(options.tenants ? { tenants: options.tenants } : {}),
  });
  return fixture;
}

/** A mandate on zone B's carrier by the operations director, unless `extra` says otherwise. */
export function assertion(
  value: unknown,
  extra: Partial<Record<keyof AssertFact, unknown>> = {},
): AssertFact {
  return {
    scope: acme,
    entity: "zone B",
    attribute: "carrier",
    value,
    kind: "mandate",
    authority: director,
    source,
    ...extra,
  } as AssertFact;
}

export function retraction(extra: Partial<Record<keyof RetractFact, unknown>> = {}): RetractFact {
  return {
    op: "retract",
    scope: acme,
    entity: "zone B",
    attribute: "carrier",
    authority: director,
    source,
    ...extra,
  } as RetractFact;
}

/** The current values of a partition, as `entity.attribute=value`. */
export function currentOf(fixture: MemoryFixture, scope: { tenant: string } = acme, principal = router) {
  return fixture.store
    .current(principal, scope)
    .map((fact) => `${fact.entity}.${fact.attribute}=${String(fact.value)}`);
}

/** The GovernorError a synchronous call throws; fails the test when it returns. */
export function thrown(call: () => unknown): GovernorError {
  let caught: unknown;
  try {
    call();
  } catch (error) {
    caught = error;
  }
  expect(caught, "expected the call to be refused").toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

/** The GovernorError a promise rejects with; fails the test when it resolves. */
export async function rejected(promise: Promise<unknown>): Promise<GovernorError> {
  const caught = await promise.then(
    () => expect.fail("expected the call to be refused"),
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(GovernorError);
  return caught as GovernorError;
}

/** A decision signed by `approver` for exactly `request`, at the fixture's clock. */
export function decision(
  fixture: MemoryFixture,
  request: MemoryApprovalRequest | undefined,
  verdict: "approve" | "reject" = "approve",
  approver = "sam",
) {
  if (!request) throw new Error("the write should wait for an approval");
  return signApprovalDecision(memoryKeys, { approver, decision: verdict, request, now: fixture.clock });
}

/** Writes as the router, at the fixture's clock. */
export function writeAs(fixture: MemoryFixture, writes: readonly FactWrite[], principal = router) {
  return fixture.store.writeNow({ principal }, writes);
}
