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
  | "kill";

/** What a caller appends: one decision, by one control, about one run. */
export interface AuditEntry {
  readonly threadId: string;
  readonly kind: AuditKind;
  /** The decision in one word: allow, deny, require-approval, approved, rejected, executed, refused… */
  readonly outcome: string;
  readonly node?: string;
  readonly tool?: string;
  readonly principal?: string;
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
  readonly hash: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type AuditVerification =
  | { readonly ok: true; readonly records: number; readonly head: string }
  | { readonly ok: false; readonly records: number; readonly brokenAt: number; readonly reason: string };

/** The append-only, hash-chained decision journal every control writes to. */
export interface AuditJournal {
  append(entry: AuditEntry): AuditRecord;
  /** Records in chain order, for one run or for all. */
  list(threadId?: string): AuditRecord[];
  /** Walks the whole chain and names the first record that does not hold. */
  verify(): AuditVerification;
}

/** The hash of the record before the first: 64 zeros. */
export const GENESIS_HASH = "0".repeat(64);
