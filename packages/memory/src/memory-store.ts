import { randomUUID } from "node:crypto";
import { formatIssues, GovernorError } from "@governor/errors";
import {
  type ApproverPredicate,
  type ApproverRegistry,
  type Principal,
  peekApprovalRequestId,
  type TokenKeys,
  verifyApprovalDecision,
} from "@governor/identity";
import { hashOf, type SyncAuditJournal } from "@governor/observability";
import type Database from "better-sqlite3";
import { z } from "zod";
import { type AuthorityRegistry, authorityRefusal } from "./authority-check.js";
import {
  type FactKey,
  type FactRecord,
  type FactScope,
  type FactWrite,
  factScopeSchema,
  factWriteSchema,
  foldedName,
  type ParsedFactWrite,
} from "./fact.js";
import type { FactIndex } from "./fact-index.js";
import { createFactTables, type FactRow, toFactRecord, toFactRow, VISIBLE_AT } from "./fact-table.js";
import { factText } from "./fact-text.js";
import type { MemoryApprovalRequest, MemoryEvent } from "./memory-event.js";
import { reconcile } from "./reconcile.js";
import { assertMemoryAccess, type MemoryAccess, memoryAccessRefusal } from "./scope-access.js";
import { describeScope, scopeKey } from "./scope-key.js";

export interface MemoryStoreOptions {
  /** Every operation, refusal and approval is appended here (one record per batch). */
  readonly audit: SyncAuditJournal;
  /** The vector index (Mem0) that finds relevant keys; without one, retrieval is by exact key only. */
  readonly index?: FactIndex;
  /** Tenants that exist; a write or read naming another is refused. Unset: any tenant. */
  readonly tenants?: readonly string[];
  /** Verifies approvers' signed decisions on writes that wait for approval. */
  readonly tokenKeys?: TokenKeys;
  /**
   * The authorities facts may be stated in the name of, and the most each weighs: caps every
   * grant (see `authorityCeiling`). Unset: the principals' `memory:attest:<name>:<n>` grants alone.
   */
  readonly authorities?: AuthorityRegistry;
  readonly now?: () => Date;
}

/** Who is writing, and from where (the thread and node become the audit record's). */
export interface MemoryWriteContext {
  readonly principal: Principal;
  readonly threadId?: string;
  readonly node?: string;
  /**
   * Makes the batch idempotent: when a batch was already written under any of these keys,
   * nothing is written and that batch's recorded events are returned. A graph node passes its
   * step's and its content's identity, so a node re-run by LangGraph (a resume, a recovery
   * after a crash, a replay) does not write the batch twice.
   */
  readonly batchKey?: string | readonly string[];
}

export interface AsOf {
  /** World time: what was true then. Default: `knownAt`. */
  readonly validAt?: Date | string;
  /** System time: what Governor knew then. Default: now. */
  readonly knownAt?: Date | string;
}

export interface DecideOptions {
  readonly approvers: ApproverRegistry | ApproverPredicate;
  readonly requiredScope?: string;
}

/** The most writes one batch (one transaction) may hold. */
export const MAX_BATCH_WRITES = 1000;

/** The node name approval requests for memory writes carry when the write came from outside a graph. */
export const MEMORY_NODE = "memory";

/**
 * Structured memory: facts kept current by ADD / UPDATE / DELETE / NONE, with authority, on two
 * clocks. A batch of writes is one SQLite transaction (facts, pending approvals, the index outbox
 * and its audit record together), so a crash mid-batch leaves the previous truth intact.
 */
export class MemoryStore {
  readonly #db: Database.Database;
  readonly #audit: SyncAuditJournal;
  readonly #index: FactIndex | undefined;
  readonly #tenants: ReadonlySet<string> | undefined;
  readonly #tokenKeys: TokenKeys | undefined;
  readonly #authorities: AuthorityRegistry | undefined;
  readonly #now: () => Date;
  readonly #stmt: ReturnType<typeof prepare>;
  #syncing: Promise<void> | undefined;
  #indexError: string | undefined;

  /**
   * @throws {GovernorError} CONFIG_INVALID when the audit journal does not write to `db`: a batch
   * and its audit record must commit together, or a failed commit leaves a record of a batch that
   * never happened.
   */
  constructor(db: Database.Database, options: MemoryStoreOptions) {
    // A journal on another connection commits on its own: checked once here, before anything is written.
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_records'").get()) {
      throw new GovernorError(
        "CONFIG_INVALID",
        "the memory store's audit journal must write to the same database as its facts (open the SqliteAuditJournal on this connection): audit_records is not in it",
      );
    }
    this.#db = db;
    this.#audit = options.audit;
    this.#index = options.index;
    this.#tenants = options.tenants ? new Set(options.tenants) : undefined;
    this.#tokenKeys = options.tokenKeys;
    this.#authorities = options.authorities;
    this.#now = options.now ?? (() => new Date());
    createFactTables(db);
    this.#stmt = prepare(db);
  }

  get index(): FactIndex | undefined {
    return this.#index;
  }

  /**
   * Reconciles a batch of writes against the current facts and applies it atomically, then
   * brings the vector index up to date. Every write is validated (shape, tenant, access) before
   * anything is written: one bad write refuses the whole batch.
   *
   * @throws {GovernorError} MEMORY_FACT_INVALID (a malformed write, naming it), MEMORY_SCOPE_DENIED.
   */
  async write(context: MemoryWriteContext, writes: readonly FactWrite[]): Promise<MemoryEvent[]> {
    const events = this.writeNow(context, writes);
    try {
      await this.syncIndex();
    } catch (error) {
      // The batch is committed (facts and audit): that is the write. The index only finds keys,
      // and its change waits in the outbox for the next sync; a search syncs first and fails
      // with the index's error, so a lagging index is never read as complete. See indexLag().
      this.#indexError = error instanceof Error ? error.message : String(error);
    }
    return events;
  }

  /**
   * Changes committed but not yet in the vector index, and the last error that held them back.
   * Zero after a successful sync. A monitoring hook: recall of searches is short until it is.
   */
  indexLag(): { readonly pending: number; readonly lastError?: string } {
    const { pending } = this.#stmt.outboxCount.get() as { pending: number };
    return pending === 0 || this.#indexError === undefined
      ? { pending }
      : { pending, lastError: this.#indexError };
  }

  /** {@link write} without waiting for the index (it catches up at the next sync or search). */
  writeNow(context: MemoryWriteContext, writes: readonly FactWrite[]): MemoryEvent[] {
    const parsed = this.#parseWrites(writes);
    for (const write of parsed) this.#checkAccess(context, write.scope, "write");
    for (const [i, write] of parsed.entries()) this.#checkAuthority(context, write, i);
    return this.#db
      .transaction(() => {
        // Checked inside the transaction, so two runs of one task cannot both write.
        const keys = context.batchKey === undefined ? [] : [context.batchKey].flat();
        for (const key of keys) {
          const done = this.#stmt.batch.get(key) as { events: string } | undefined;
          if (done) return JSON.parse(done.events) as MemoryEvent[];
        }
        const at = this.#now().toISOString();
        const events = parsed.map((write) => this.#apply(context, write, at));
        const record = this.#audit.append({
          threadId: context.threadId ?? `memory:${scopeKey(parsed[0]?.scope ?? { tenant: "-" })}`,
          kind: "memory",
          outcome: batchOutcome(events),
          node: context.node,
          principal: context.principal.id,
          data: { events: events.map(auditView) },
          ...(keys[0] !== undefined ? { dedupeKey: `memory-batch:${keys[0]}` } : {}),
        });
        const written = events.map((event) => ({ ...event, auditSeq: record.seq }));
        for (const key of keys) {
          this.#stmt.batchAdd.run({ key, events: JSON.stringify(written), seq: record.seq });
        }
        return written;
      })
      .immediate();
  }

  /** The events of the batch written under `key` (see `MemoryWriteContext.batchKey`), if one was. */
  writtenBatch(key: string): MemoryEvent[] | undefined {
    const done = this.#stmt.batch.get(key) as { events: string } | undefined;
    return done ? (JSON.parse(done.events) as MemoryEvent[]) : undefined;
  }

  /** The facts true now (or at `at`) in a partition, optionally only for some keys. */
  current(
    principal: Principal,
    scope: FactScope,
    options: { keys?: readonly FactKey[]; at?: Date } = {},
  ): FactRecord[] {
    const at = asOfTime(options.at ?? this.#now(), "at").toISOString();
    return this.#visible(principal, scope, at, at, options.keys);
  }

  /**
   * What was true at `validAt`, as Governor knew it at `knownAt`: "what was the rule on March 5"
   * (validAt) and "what did the agent believe on March 7" (knownAt), or both.
   *
   * @throws {GovernorError} MEMORY_AS_OF_INVALID for a malformed time, one in the future, or one
   * before anything was recorded in the partition.
   */
  asOf(principal: Principal, scope: FactScope, asOf: AsOf, keys?: readonly FactKey[]): FactRecord[] {
    const parsedScope = this.#parseScope(scope, "scope");
    this.#checkAccess({ principal }, parsedScope, "read");
    const now = this.#now();
    const knownAt = asOfTime(asOf.knownAt ?? now, "knownAt");
    const validAt = asOfTime(asOf.validAt ?? knownAt, "validAt");
    const skew = now.getTime() + 1000;
    for (const [label, time] of [
      ["knownAt", knownAt],
      ["validAt", validAt],
    ] as const) {
      if (time.getTime() > skew) {
        throw new GovernorError(
          "MEMORY_AS_OF_INVALID",
          `asOf.${label} ${time.toISOString()} is in the future`,
          {
            [label]: time.toISOString(),
          },
        );
      }
    }
    const bounds = this.#stmt.bounds.get(scopeKey(parsedScope)) as
      | { first_recorded: string | null; first_valid: string | null }
      | undefined;
    if (!bounds?.first_recorded || !bounds.first_valid) {
      throw new GovernorError(
        "MEMORY_AS_OF_INVALID",
        `nothing was ever recorded in ${describeScope(parsedScope)}`,
        {
          scope: parsedScope,
        },
      );
    }
    if (knownAt.toISOString() < bounds.first_recorded) {
      throw new GovernorError(
        "MEMORY_AS_OF_INVALID",
        `asOf.knownAt ${knownAt.toISOString()} is before the first record of ${describeScope(parsedScope)} (${bounds.first_recorded})`,
        { knownAt: knownAt.toISOString(), firstRecorded: bounds.first_recorded },
      );
    }
    if (validAt.toISOString() < bounds.first_valid) {
      throw new GovernorError(
        "MEMORY_AS_OF_INVALID",
        `asOf.validAt ${validAt.toISOString()} is before any fact of ${describeScope(parsedScope)} was true (${bounds.first_valid})`,
        { validAt: validAt.toISOString(), firstValid: bounds.first_valid },
      );
    }
    return this.#visible(principal, parsedScope, validAt.toISOString(), knownAt.toISOString(), keys, true);
  }

  /** Every record of a partition (or of one key) in the order written: the full lifecycle. */
  history(principal: Principal, scope: FactScope, key?: Partial<FactKey>): FactRecord[] {
    const parsedScope = this.#parseScope(scope, "scope");
    this.#checkAccess({ principal }, parsedScope, "read");
    const rows = this.#stmt.history.all({
      scope: scopeKey(parsedScope),
      entity: key?.entity === undefined ? null : foldedName(String(key.entity)),
      attribute: key?.attribute === undefined ? null : foldedName(String(key.attribute)),
    }) as FactRow[];
    return rows.map(toFactRecord);
  }

  /**
   * Writes waiting for an approval, in one partition or all the principal may read.
   *
   * @throws {GovernorError} MEMORY_SCOPE_DENIED (audited) when the named partition is not the principal's to read.
   */
  pending(principal: Principal, scope?: FactScope): MemoryApprovalRequest[] {
    // A named partition is checked like any read: a probe of another tenant's queue is refused and audited, not answered empty.
    const parsedScope = scope === undefined ? undefined : this.#parseScope(scope, "scope");
    if (parsedScope) this.#checkAccess({ principal }, parsedScope, "read");
    const rows = this.#stmt.pending.all({
      scope: parsedScope ? scopeKey(parsedScope) : null,
    }) as {
      request: string;
      write: string;
    }[];
    return rows
      .filter((row) => {
        const write = JSON.parse(row.write) as ParsedFactWrite;
        return memoryAccessRefusal(principal, write.scope, "read") === undefined;
      })
      .map((row) => JSON.parse(row.request) as MemoryApprovalRequest);
  }

  /**
   * Applies or drops a write that waited for approval, on an approver's signed decision bound to
   * it (run, node, request id and the proposal's hash). A decision is used once: a second one
   * for the same request is refused, and a proposal whose key changed since is stale.
   *
   * @throws {GovernorError} APPROVAL_INVALID, IDENTITY_TOKEN_*, MEMORY_PROPOSAL_STALE.
   */
  async decide(token: string, options: DecideOptions): Promise<MemoryEvent> {
    if (!this.#tokenKeys) {
      throw new GovernorError(
        "CONFIG_INVALID",
        "this memory store has no token keys to verify approvals with",
      );
    }
    const requestId = peekApprovalRequestId(token);
    const row =
      requestId === undefined ? undefined : (this.#stmt.proposal.get(requestId) as ProposalRow | undefined);
    if (!row) {
      throw new GovernorError(
        "APPROVAL_INVALID",
        `no memory write waits for request ${requestId ?? "(none named)"}`,
        {
          requestId,
        },
      );
    }
    const request = JSON.parse(row.request) as MemoryApprovalRequest;
    const verified = await verifyApprovalDecision(this.#tokenKeys, token, {
      request,
      approvers: options.approvers,
      requiredScope: options.requiredScope,
      now: this.#now(),
    });
    const write = JSON.parse(row.write) as ParsedFactWrite;
    const event = this.#db
      .transaction((): MemoryEvent => {
        const at = this.#now().toISOString();
        const claimed = this.#stmt.claimProposal.run({
          id: row.id,
          status: verified.decision === "approve" ? "applied" : "rejected",
          at,
          by: verified.approver,
        });
        if (claimed.changes !== 1) {
          throw new GovernorError("APPROVAL_INVALID", `memory request ${row.id} was already decided`, {
            requestId: row.id,
          });
        }
        const key = { entity: write.entity, attribute: write.attribute };
        const current = this.#activeRecord(scopeKey(write.scope), key);
        const approval = {
          approver: verified.approver,
          decision: verified.decision,
          reason: verified.reason,
          jti: verified.jti,
        };
        if ((current?.id ?? "none") !== row.against) {
          this.#stmt.markStale.run({ id: row.id });
          this.#audit.append({
            threadId: row.thread_id,
            kind: "memory",
            outcome: "stale",
            node: row.node,
            principal: row.principal,
            data: { requestId: row.id, approval, against: row.against, current: current?.id ?? "none" },
          });
          // The claim and the audit record are kept: the transaction returns, then the caller learns why.
          return { event: request.operation, status: "refused", scope: write.scope, key, reason: "stale" };
        }
        const event =
          verified.decision === "approve"
            ? this.#applyDecided(write, current, at, request.operation)
            : ({
                event: request.operation,
                status: "refused",
                scope: write.scope,
                key,
                reason: `rejected by ${verified.approver}${verified.reason ? `: ${verified.reason}` : ""}`,
              } satisfies MemoryEvent);
        const record = this.#audit.append({
          threadId: row.thread_id,
          kind: "memory",
          outcome: verified.decision === "approve" ? "approved" : "rejected",
          node: row.node,
          principal: row.principal,
          data: { requestId: row.id, approval, events: [auditView(event)] },
        });
        return { ...event, auditSeq: record.seq };
      })
      .immediate();
    if (event.reason === "stale") {
      throw new GovernorError(
        "MEMORY_PROPOSAL_STALE",
        `memory request ${row.id} no longer applies: ${write.entity}.${write.attribute} changed after it was proposed; nothing was written`,
        { requestId: row.id },
      );
    }
    return event;
  }

  /** Text search over the partition through the vector index; only currently true facts come back. */
  async search(principal: Principal, scope: FactScope, query: string, limit = 10): Promise<FactRecord[]> {
    const parsedScope = this.#parseScope(scope, "scope");
    this.#checkAccess({ principal }, parsedScope, "read");
    checkSearch(query, limit);
    if (!this.#index || query.trim() === "") return [];
    await this.syncIndex();
    // The index only finds keys, and what it answers is not trusted: well-formed keys only, and
    // never more facts than asked for, however many keys come back.
    const keys = (await this.#index.search(scopeKey(parsedScope), query, limit)).filter(isFactKey);
    const current = this.current(principal, parsedScope, { keys });
    const order = new Map(keys.map((key, i) => [`${key.entity}\u0000${key.attribute}`, i]));
    return current
      .sort(
        (a, b) =>
          (order.get(`${a.entity}\u0000${a.attribute}`) ?? 0) -
          (order.get(`${b.entity}\u0000${b.attribute}`) ?? 0),
      )
      .slice(0, limit);
  }

  /**
   * Rebuilds the vector index from the facts table: every key's current record is queued again
   * and synced. For an index directory that was lost or restored from an older backup: values
   * never depend on the index, but recall of searches does. Returns how many keys were queued.
   */
  async reindex(): Promise<number> {
    const queued = this.#db
      .transaction(() => {
        const rows = this.#stmt.activeAll.all() as FactRow[];
        for (const row of rows) {
          this.#stmt.outboxAdd.run({
            scope: row.scope_key,
            entity: row.entity,
            attribute: row.attribute,
            text: factText(toFactRecord(row)),
          });
        }
        return rows.length;
      })
      .immediate();
    await this.syncIndex();
    return queued;
  }

  /**
   * Hands the index the changes committed since the last sync, in order. One sync at a time;
   * a failed change stays in the outbox and is retried by the next sync.
   */
  async syncIndex(): Promise<void> {
    const index = this.#index;
    if (!index) {
      this.#stmt.clearOutbox.run();
      return;
    }
    if (this.#syncing) return this.#syncing;
    this.#syncing = (async () => {
      try {
        for (;;) {
          const batch = this.#stmt.outbox.all() as OutboxRow[];
          if (batch.length === 0) return;
          for (const change of batch) {
            const key = { entity: change.entity, attribute: change.attribute };
            if (change.text === null) await index.remove(change.scope_key, key);
            else await index.upsert(change.scope_key, key, change.text);
            this.#stmt.doneOutbox.run(change.seq);
          }
        }
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }

  #visible(
    principal: Principal,
    scope: FactScope,
    validAt: string,
    knownAt: string,
    keys: readonly FactKey[] | undefined,
    checked = false,
  ): FactRecord[] {
    const parsedScope = checked ? scope : this.#parseScope(scope, "scope");
    if (!checked) this.#checkAccess({ principal }, parsedScope, "read");
    const key = scopeKey(parsedScope);
    if (keys === undefined) {
      return (this.#stmt.visibleAll.all({ scope: key, valid: validAt, known: knownAt }) as FactRow[]).map(
        toFactRecord,
      );
    }
    const records: FactRecord[] = [];
    const seen = new Set<string>();
    for (const wanted of keys) {
      // Looked up as keys are compared (canonical, case-folded), so " Zone  b " finds zone B.
      const entity = foldedName(String(wanted.entity));
      const attribute = foldedName(String(wanted.attribute));
      const id = `${entity}\u0000${attribute}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const row = this.#stmt.visibleKey.get({
        scope: key,
        entity,
        attribute,
        valid: validAt,
        known: knownAt,
      }) as FactRow | undefined;
      if (row) records.push(toFactRecord(row));
    }
    return records;
  }

  #apply(context: MemoryWriteContext, write: ParsedFactWrite, at: string): MemoryEvent {
    const key = { entity: write.entity, attribute: write.attribute };
    const current = this.#activeRecord(scopeKey(write.scope), key);
    const decision = reconcile(write, current);
    if (decision.outcome === "refuse") {
      return {
        event: decision.operation,
        status: "refused",
        scope: write.scope,
        key,
        reason: decision.reason,
      };
    }
    if (decision.outcome === "approve") {
      const request = this.#propose(
        context,
        write,
        current as FactRecord,
        decision.operation,
        decision.reason,
        at,
      );
      return {
        event: decision.operation,
        status: "pending-approval",
        scope: write.scope,
        key,
        reason: decision.reason,
        approval: request,
      };
    }
    if (decision.operation === "NONE") {
      return {
        event: "NONE",
        status: "applied",
        scope: write.scope,
        key,
        ...(current ? { record: current } : {}),
        reason: decision.reason,
      };
    }
    return this.#applyDecided(write, current, at, decision.operation);
  }

  /** Writes an ADD, UPDATE or DELETE that has been decided (by the rules or by an approver). */
  #applyDecided(
    write: ParsedFactWrite,
    current: FactRecord | undefined,
    now: string,
    operation: MemoryEvent["event"],
  ): MemoryEvent {
    const key = { entity: write.entity, attribute: write.attribute };
    const sKey = scopeKey(write.scope);
    // System time never runs backwards within a key: a clock stepped back (NTP, another host)
    // must not close a record before it was recorded, nor start the new one before the old.
    const at = current && current.recordedAt > now ? current.recordedAt : now;
    const validFrom = write.validFrom ? new Date(write.validFrom).toISOString() : at;
    if (write.op === "retract") {
      if (!current)
        return { event: "NONE", status: "applied", scope: write.scope, key, reason: "nothing to retract" };
      this.#close(current, at, "deleted", validFrom, undefined);
      this.#stmt.outboxAdd.run({ scope: sKey, entity: key.entity, attribute: key.attribute, text: null });
      return {
        event: "DELETE",
        status: "applied",
        scope: write.scope,
        key,
        record: this.#byId(current.id),
        reason: `retracted by ${write.authority.by}${write.reason ? `: ${write.reason}` : ""}`,
      };
    }
    const record: FactRecord = {
      id: `fact_${randomUUID()}`,
      scope: write.scope,
      scopeKey: sKey,
      entity: write.entity,
      attribute: write.attribute,
      value: write.value,
      kind: write.kind,
      authority: write.authority,
      source: write.source,
      validFrom,
      recordedAt: at,
      status: "active",
    };
    if (current) this.#close(current, at, "superseded", validFrom, record.id);
    this.#stmt.insert.run(toFactRow(record));
    this.#stmt.outboxAdd.run({
      scope: sKey,
      entity: key.entity,
      attribute: key.attribute,
      text: factText(record),
    });
    const event = current && operation !== "ADD" ? "UPDATE" : "ADD";
    return {
      event,
      status: "applied",
      scope: write.scope,
      key,
      record,
      ...(current ? { previous: this.#byId(current.id) } : {}),
      reason: event === "UPDATE" ? `supersedes ${current?.id}` : "a new key",
    };
  }

  /** Ends a record's belief (system time) and its truth (world time) without rewriting what it said. */
  #close(
    record: FactRecord,
    at: string,
    status: "superseded" | "deleted",
    endsAt: string,
    by: string | undefined,
  ): void {
    const validTo = record.validTo !== undefined && record.validTo < endsAt ? record.validTo : endsAt;
    this.#stmt.close.run({
      id: record.id,
      status,
      at,
      validTo,
      validToBefore: record.validTo ?? null,
      by: by ?? null,
    });
  }

  #propose(
    context: MemoryWriteContext,
    write: ParsedFactWrite,
    current: FactRecord,
    operation: MemoryApprovalRequest["operation"],
    reason: string,
    at: string,
  ): MemoryApprovalRequest {
    const requestId = `memapr_${randomUUID()}`;
    const threadId = context.threadId ?? `memory:${scopeKey(write.scope)}`;
    const node = context.node ?? MEMORY_NODE;
    const callHash = hashOf({
      write,
      against: current.id,
      currentValue: current.value,
      principal: context.principal.id,
    });
    // The same change proposed again (a retry, a re-run node) is the request already waiting, not
    // a second one in the approver's inbox that could be approved after the first.
    const waiting = this.#stmt.waitingProposal.get(callHash) as { request: string } | undefined;
    if (waiting) return JSON.parse(waiting.request) as MemoryApprovalRequest;
    const summary =
      write.op === "retract"
        ? `retract ${write.entity}.${write.attribute} ("${String(current.value)}" by ${current.authority.by}${write.reason ? `; why: ${write.reason}` : ""})`
        : `set ${write.entity}.${write.attribute} to "${String(write.value)}" (was "${String(current.value)}" by ${current.authority.by})`;
    const request: MemoryApprovalRequest = {
      type: "memory-approval",
      threadId,
      node,
      requestId,
      callHash,
      operation,
      proposedBy: write.authority.by,
      outranks: current.authority.by,
      summary: `${summary}: ${reason}`,
    };
    this.#stmt.propose.run({
      id: requestId,
      scope: scopeKey(write.scope),
      entity: write.entity,
      attribute: write.attribute,
      threadId,
      node,
      write: JSON.stringify(write),
      against: current.id,
      callHash,
      request: JSON.stringify(request),
      principal: context.principal.id,
      at,
    });
    return request;
  }

  #activeRecord(sKey: string, key: FactKey): FactRecord | undefined {
    const row = this.#stmt.active.get({
      scope: sKey,
      entity: foldedName(key.entity),
      attribute: foldedName(key.attribute),
    }) as FactRow | undefined;
    return row ? toFactRecord(row) : undefined;
  }

  #byId(id: string): FactRecord {
    return toFactRecord(this.#stmt.byId.get(id) as FactRow);
  }

  #parseWrites(writes: readonly FactWrite[]): ParsedFactWrite[] {
    if (!Array.isArray(writes) || writes.length === 0) {
      throw new GovernorError("MEMORY_FACT_INVALID", "a memory write needs at least one fact: got none");
    }
    if (writes.length > MAX_BATCH_WRITES) {
      // One batch is one write transaction: an unbounded one holds every other writer's lock.
      throw new GovernorError(
        "MEMORY_FACT_INVALID",
        `a memory batch holds at most ${MAX_BATCH_WRITES} writes, got ${writes.length}; nothing was written (split it)`,
        { writes: writes.length, max: MAX_BATCH_WRITES },
      );
    }
    return writes.map((write, i) => {
      const parsed = factWriteSchema.safeParse(write);
      if (!parsed.success) {
        throw new GovernorError(
          "MEMORY_FACT_INVALID",
          `writes[${i}] is malformed; nothing was written: ${formatIssues(parsed.error.issues, `writes[${i}]`)}`,
          { index: i, issues: parsed.error.issues },
        );
      }
      this.#checkTenant(parsed.data.scope, `writes[${i}].scope`);
      return parsed.data;
    });
  }

  #parseScope(scope: FactScope, path: string): FactScope {
    const parsed = factScopeSchema.safeParse(scope);
    if (!parsed.success) {
      throw new GovernorError(
        "MEMORY_FACT_INVALID",
        `${path} is malformed: ${formatIssues(parsed.error.issues, path)}`,
        {
          issues: parsed.error.issues,
        },
      );
    }
    this.#checkTenant(parsed.data, path);
    return parsed.data;
  }

  #checkTenant(scope: FactScope, path: string): void {
    if (this.#tenants && !this.#tenants.has(scope.tenant)) {
      throw new GovernorError(
        "MEMORY_FACT_INVALID",
        `${path}.tenant "${scope.tenant}" is not a known tenant`,
        {
          tenant: scope.tenant,
        },
      );
    }
  }

  /**
   * The authority a write claims must be granted to its writer (see `authorityCeiling`): a claim
   * beyond the grant refuses the whole batch, audited, before anything is written.
   */
  #checkAuthority(context: MemoryWriteContext, write: ParsedFactWrite, index: number): void {
    const refusal = authorityRefusal(context.principal, write.authority, this.#authorities);
    if (refusal === undefined) return;
    this.#denied(context, write.scope, "write", `writes[${index}].authority: ${refusal}`);
    throw new GovernorError(
      "MEMORY_SCOPE_DENIED",
      `writes[${index}].authority refused; nothing was written: ${refusal}`,
      {
        index,
        principal: context.principal.id,
        authority: write.authority,
      },
    );
  }

  #denied(context: MemoryWriteContext, scope: FactScope, access: MemoryAccess, reason: string): void {
    this.#audit.append({
      threadId: context.threadId ?? `memory:${scopeKey(scope)}`,
      kind: "memory",
      outcome: "denied",
      node: context.node,
      // A forged principal may be no object at all: the denial is still recorded.
      principal: String((context.principal as Principal | null | undefined)?.id ?? "(no principal)"),
      data: { access, scope, reason },
    });
  }

  /** A refused partition is audited before the error is thrown: a probe of another tenant leaves a trace. */
  #checkAccess(context: MemoryWriteContext, scope: FactScope, access: MemoryAccess): void {
    try {
      assertMemoryAccess(context.principal, scope, access);
    } catch (error) {
      this.#denied(context, scope, access, (error as Error).message);
      throw error;
    }
  }
}

interface ProposalRow {
  id: string;
  thread_id: string;
  node: string;
  write: string;
  against: string;
  request: string;
  principal: string;
}

interface OutboxRow {
  seq: number;
  scope_key: string;
  entity: string;
  attribute: string;
  text: string | null;
}

function prepare(db: Database.Database) {
  return {
    insert:
      db.prepare(`INSERT INTO memory_facts (id, scope_key, scope, entity, attribute, entity_key, attribute_key, value,
      kind, authority_by, authority_weight, source, valid_from, valid_to, valid_to_before, recorded_at, superseded_at,
      superseded_by, status)
      VALUES (@id, @scope_key, @scope, @entity, @attribute, @entity_key, @attribute_key, @value, @kind, @authority_by, @authority_weight, @source,
      @valid_from, @valid_to, @valid_to_before, @recorded_at, @superseded_at, @superseded_by, @status)`),
    close: db.prepare(`UPDATE memory_facts SET status = @status, superseded_at = @at, superseded_by = @by,
      valid_to = @validTo, valid_to_before = @validToBefore WHERE id = @id AND status = 'active'`),
    active: db.prepare(
      "SELECT * FROM memory_facts WHERE scope_key = @scope AND entity_key = @entity AND attribute_key = @attribute AND status = 'active'",
    ),
    byId: db.prepare("SELECT * FROM memory_facts WHERE id = ?"),
    // INDEXED BY: left to itself SQLite's planner took memory_facts_recorded (scope_key, recorded_at
    // <= :known) and scanned every fact of the partition for one key: ~4 ms at 1,000 facts a partition.
    visibleKey: db.prepare(`SELECT * FROM memory_facts f INDEXED BY memory_facts_key
      WHERE f.scope_key = :scope AND f.entity_key = :entity
      AND f.attribute_key = :attribute AND ${VISIBLE_AT} ORDER BY f.seq DESC LIMIT 1`),
    visibleAll: db.prepare(`SELECT f.* FROM memory_facts f JOIN (
        SELECT MAX(f.seq) AS seq FROM memory_facts f WHERE f.scope_key = :scope AND ${VISIBLE_AT}
        GROUP BY f.entity_key, f.attribute_key
      ) latest ON latest.seq = f.seq ORDER BY f.entity, f.attribute`),
    history: db.prepare(`SELECT * FROM memory_facts WHERE scope_key = @scope
      AND (@entity IS NULL OR entity_key = @entity) AND (@attribute IS NULL OR attribute_key = @attribute) ORDER BY seq`),
    bounds: db.prepare(
      "SELECT MIN(recorded_at) AS first_recorded, MIN(valid_from) AS first_valid FROM memory_facts WHERE scope_key = ?",
    ),
    propose:
      db.prepare(`INSERT INTO memory_proposals (id, scope_key, entity, attribute, thread_id, node, write, against,
      call_hash, request, principal, created_at, status) VALUES (@id, @scope, @entity, @attribute, @threadId, @node,
      @write, @against, @callHash, @request, @principal, @at, 'pending')`),
    proposal: db.prepare("SELECT * FROM memory_proposals WHERE id = ?"),
    waitingProposal: db.prepare(
      "SELECT request FROM memory_proposals WHERE call_hash = ? AND status = 'pending' ORDER BY created_at LIMIT 1",
    ),
    pending: db.prepare(
      "SELECT request, write FROM memory_proposals WHERE status = 'pending' AND (@scope IS NULL OR scope_key = @scope) ORDER BY created_at",
    ),
    claimProposal: db.prepare(
      "UPDATE memory_proposals SET status = @status, decided_at = @at, decided_by = @by WHERE id = @id AND status = 'pending'",
    ),
    markStale: db.prepare("UPDATE memory_proposals SET status = 'stale' WHERE id = @id"),
    outboxAdd: db.prepare(
      "INSERT INTO memory_index_outbox (scope_key, entity, attribute, text) VALUES (@scope, @entity, @attribute, @text)",
    ),
    outbox: db.prepare("SELECT * FROM memory_index_outbox ORDER BY seq LIMIT 100"),
    doneOutbox: db.prepare("DELETE FROM memory_index_outbox WHERE seq = ?"),
    clearOutbox: db.prepare("DELETE FROM memory_index_outbox"),
    outboxCount: db.prepare("SELECT COUNT(*) AS pending FROM memory_index_outbox"),
    activeAll: db.prepare("SELECT * FROM memory_facts WHERE status = 'active' ORDER BY seq"),
    batch: db.prepare("SELECT events FROM memory_batches WHERE batch_key = ?"),
    batchAdd: db.prepare(
      "INSERT INTO memory_batches (batch_key, events, audit_seq) VALUES (@key, @events, @seq)",
    ),
  };
}

/** An ISO date or date-time, with real days of real months. */
const isoTimeSchema = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

/**
 * A time from a caller. Date's own parser is lenient ("2026-02-30" becomes March 2, a number
 * becomes 1970), so only a valid Date or a real ISO date or date-time is taken as a time.
 */
function asOfTime(value: Date | string, label: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (!(value instanceof Date) && (typeof value !== "string" || !isoTimeSchema.safeParse(value).success)) {
    throw new GovernorError(
      "MEMORY_AS_OF_INVALID",
      `asOf.${label} "${value}" is not an ISO date or date-time`,
      {
        [label]: value,
      },
    );
  }
  if (Number.isNaN(date.getTime())) {
    throw new GovernorError("MEMORY_AS_OF_INVALID", `asOf.${label} ${String(value)} is not a valid time`, {
      [label]: String(value),
    });
  }
  return date;
}

/** @throws {GovernorError} MEMORY_FACT_INVALID when the query is not text or the limit not a positive whole number. */
function checkSearch(query: unknown, limit: unknown): void {
  if (typeof query !== "string") {
    throw new GovernorError("MEMORY_FACT_INVALID", `search query must be text, got ${typeof query}`, {
      query: String(query),
    });
  }
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      `search limit must be a positive whole number, got ${String(limit)}`,
      { limit: String(limit) },
    );
  }
}

function isFactKey(key: unknown): key is FactKey {
  return (
    typeof key === "object" &&
    key !== null &&
    typeof (key as FactKey).entity === "string" &&
    typeof (key as FactKey).attribute === "string"
  );
}

function batchOutcome(events: readonly MemoryEvent[]): string {
  if (events.some((event) => event.status === "pending-approval")) return "require-approval";
  if (events.every((event) => event.status === "refused")) return "refused";
  return "written";
}

function auditView(event: MemoryEvent): Record<string, unknown> {
  return {
    event: event.event,
    status: event.status,
    scope: event.scope,
    key: event.key,
    ...(event.record
      ? {
          recordId: event.record.id,
          value: event.record.value,
          kind: event.record.kind,
          authority: event.record.authority,
          validFrom: event.record.validFrom,
          ...(event.record.validTo ? { validTo: event.record.validTo } : {}),
        }
      : {}),
    ...(event.previous ? { previousId: event.previous.id, previousValue: event.previous.value } : {}),
    ...(event.reason ? { reason: event.reason } : {}),
    ...(event.approval ? { requestId: event.approval.requestId, callHash: event.approval.callHash } : {}),
  };
}
