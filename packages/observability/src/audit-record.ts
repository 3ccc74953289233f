/** The control layer that produced a record. */
export type AuditKind =
  | "run"
  | "model"
  | "identity"
  | "contract"
  | "precondition"
  | "policy"
  | "approval"
  | "execution"
  | "budget"
  | "kill"
  | "memory";

/** What a caller appends: one decision, by one control, about one run. */
export interface AuditEntry {
  readonly threadId: string;
  readonly kind: AuditKind;
  /** The decision in one word: allow, deny, require-approval, approved, rejected, executed, refused… */
  readonly outcome: string;
  readonly node?: string;
  readonly tool?: string;
  readonly principal?: string;
  /** Any data; stored as `toPlainJson` normalizes it (a Buffer becomes tagged base64, a bigint a tagged string…). */
  readonly data?: Readonly<Record<string, unknown>>;
  /**
   * Makes the append idempotent. LangGraph re-runs a node from its start on resume, so a
   * node that records a decision twice passes the same key and the journal keeps one record.
   */
  readonly dedupeKey?: string;
}

/** A stored record: the entry, its place in the chain and the hashes that seal it. */
export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  /** SHA-256 over every other field (the previous hash included): public, so anyone can recompute it. */
  readonly hash: string;
  /** HMAC of `hash` under the audit key; absent on records written before seals existed. */
  readonly seal?: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** Why a chain does not hold, in one word a program can switch on. */
export type AuditProblem =
  /** A record has no seal: written before audit records were keyed (or its seal was erased). */
  | "unsealed"
  /** A record's seal does not match under the audit key: re-hashed by someone without the key, or another key. */
  | "seal"
  /** A record's fields do not match its own hash. */
  | "changed"
  /** A record does not point at the hash of the one before it. */
  | "link"
  /** Sequence numbers skip or repeat: a record was removed or inserted. */
  | "gap"
  /** Fewer records than the signed head says there were: the end of the journal was removed. */
  | "truncated"
  /** The record the head names is not the one in the journal: history after it was rewritten. */
  | "head-mismatch"
  /** The head is missing, unreadable, or its seal does not match. */
  | "head";

export type AuditVerification =
  | {
      readonly ok: true;
      readonly records: number;
      readonly head: string;
      /** Records covered by the signed head: removing any of them is detected. Later ones are sealed but not yet anchored. */
      readonly anchored: number;
      /** Fingerprint of the key that sealed the chain. */
      readonly keyId: string;
    }
  | {
      readonly ok: false;
      readonly records: number;
      /** The first record that does not hold (for a truncation, the first missing one). */
      readonly brokenAt: number;
      readonly problem: AuditProblem;
      readonly reason: string;
    };

/**
 * Which records of one run `AuditJournal.find` returns: every field given must match (a
 * record's `data.callId` for `callId`; any of `kinds`). Answered from an index by run, kind
 * and call, so a lookup that names its kinds costs the same in a thread of ten records as in
 * one of ten thousand; give `kind` or `kinds` with `callId`.
 */
export interface AuditQuery {
  readonly threadId: string;
  /** Records about this call: those whose `data.callId` is this id. */
  readonly callId?: string;
  readonly kind?: AuditKind;
  /** Records of any of these kinds (with `kind`, both must hold). */
  readonly kinds?: readonly AuditKind[];
  readonly outcome?: string;
  readonly node?: string;
  /** Only the newest record that matches (at most one). */
  readonly newest?: boolean;
}

/**
 * A value now or later. Store interfaces return it so one contract serves the embedded SQLite
 * backend (synchronous, no microtask cost where a caller does not await) and network backends
 * such as PostgreSQL (a promise). Callers always `await` what a store returns.
 */
export type Awaitable<T> = T | Promise<T>;

/**
 * The append-only, hash-chained decision journal every control writes to.
 *
 * Every method may answer with a promise (a journal in PostgreSQL does): await each call. An
 * append that is awaited has been written, and ordered in the one chain, before the caller goes on.
 */
export interface AuditJournal {
  /** @throws {GovernorError} VALUE_UNSERIALIZABLE when `data` holds a circular reference. */
  append(entry: AuditEntry): Awaitable<AuditRecord>;
  /** Records in chain order, for one run or for all. */
  list(threadId?: string): Awaitable<AuditRecord[]>;
  /**
   * The run's records that match `query`, in chain order: the same records `list(threadId)`
   * holds that `matchesAuditQuery` keeps, and no more trusted than `list`'s (neither verifies
   * the chain; `verify` does).
   */
  find(query: AuditQuery): Awaitable<AuditRecord[]>;
  /** Walks the whole chain, checks it against its signed head, and names the first record that does not hold. */
  verify(): Awaitable<AuditVerification>;
  /** Writes whatever the journal holds back (its signed head) so another process sees it. */
  flush?(): Awaitable<void>;
  /** Where the signed head is kept (a file, a table), for messages. */
  readonly headLocation?: string;
  /**
   * A keyed digest of a value kept out of the journal in the clear (see `maskingAuditJournal`
   * in @governor/core): checkable by whoever holds the journal's key, not guessable by its readers.
   */
  valueDigest?(text: string): string;
  /**
   * True for a journal that keeps nothing (a benchmark's, counting appends and dropping them):
   * it can vouch for no decision, so nodes that cross-check the thread's state against the
   * journal take the state at its word. Any journal that keeps records leaves it unset, and an
   * empty list then proves nothing was decided.
   */
  readonly discards?: boolean;
}

/**
 * A journal that answers at once (the embedded SQLite one): what a caller needs when it writes
 * its own rows and the audit record in one synchronous SQLite transaction (the memory store).
 */
export interface SyncAuditJournal extends AuditJournal {
  append(entry: AuditEntry): AuditRecord;
  list(threadId?: string): AuditRecord[];
  find(query: AuditQuery): AuditRecord[];
  verify(): AuditVerification;
  flush?(): void;
}

/** The hash of the record before the first: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);
