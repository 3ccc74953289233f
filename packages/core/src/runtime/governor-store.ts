import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { TokenKeys } from "@governor/identity";
import { configuredEmbeddings, type MemoryStore, openMemoryStore } from "@governor/memory";
import { auditAnchorFor, SqliteAuditJournal } from "@governor/observability";
import type { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import Database from "better-sqlite3";
import { SqliteApprovalUseLedger } from "../approvals/approval-uses.js";
import { SqliteEffectJournal } from "../gateway/effect-journal.js";
import { maskingAuditJournal } from "../privacy/audit-mask.js";
import type { GovernorStores, GraphServices } from "../store/governor-stores.js";
import { cachedStatementSaver } from "./cached-statement-saver.js";
import { SqliteKillSwitches } from "./kill-switches.js";
import { RunLeases } from "./run-leases.js";
import { RunRegistry } from "./run-registry.js";
import { SqliteSpendLedger } from "./spend-ledger.js";
import { storeKeys } from "./store-keys.js";

/** Where Governor keeps state when no directory is given: `GOVERNOR_DIR`, else `.governor/` in the working directory. */
export function defaultGovernorDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return resolve(env.GOVERNOR_DIR ?? ".governor");
}

/**
 * The embedded store: LangGraph's SQLite checkpointer in `checkpoints.db`, and Governor's
 * audit journal, idempotency journal and run registry in `governor.db`. One connection to
 * `governor.db` is shared so the journals see each other's writes at once.
 */
export class GovernorStore implements GovernorStores {
  readonly backend = "sqlite";
  get location(): string {
    return this.dir;
  }
  readonly dir: string;
  readonly db: Database.Database;
  readonly checkpointer: SqliteSaver;
  readonly audit: SqliteAuditJournal;
  readonly effects: SqliteEffectJournal;
  readonly runs: RunRegistry;
  /** Who drives each run right now: resumes of one thread take turns. */
  readonly leases: RunLeases;
  readonly kills: SqliteKillSwitches;
  readonly spend: SqliteSpendLedger;
  readonly approvalUses: SqliteApprovalUseLedger;
  /** Verifies (and, where this process holds the private part, signs) approvers' decisions. */
  readonly tokenKeys: TokenKeys;
  /** Structured facts (tables in `governor.db`, so a batch and its audit record commit together). */
  readonly memory: MemoryStore;

  constructor(dir: string = defaultGovernorDir()) {
    this.dir = resolve(dir);
    mkdirSync(this.dir, { recursive: true });
    this.db = new Database(join(this.dir, "governor.db"));
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.pragma("busy_timeout = 5000");
    // Sealed with the store's audit key, its head kept in keys/ (or where GOVERNOR_AUDIT_* say): see AUDIT_GUARANTEE.
    // Masked (emails, cards, phones) before anything is stored, whoever writes: see maskingAuditJournal.
    this.audit = maskingAuditJournal(new SqliteAuditJournal(this.db, auditAnchorFor(this.dir)));
    this.effects = new SqliteEffectJournal(this.db);
    this.runs = new RunRegistry(this.db);
    this.leases = new RunLeases(this.db);
    this.kills = new SqliteKillSwitches(this.db);
    this.spend = new SqliteSpendLedger(this.db);
    this.approvalUses = new SqliteApprovalUseLedger(this.db);
    this.tokenKeys = storeKeys(this.dir);
    // Mem0 underneath (vectors per partition in mem0/, imported on first use); the facts table in
    // governor.db stays the truth. Ranked by cosine over Mem0's vectors: Mem0's own search reads
    // every row of a partition per query (tens of ms per thousand facts), see Mem0FactIndex.
    this.memory = openMemoryStore({
      db: this.db,
      audit: this.audit,
      dir: join(this.dir, "mem0"),
      tokenKeys: this.tokenKeys,
      embeddings: configuredEmbeddings(),
      ranking: "cosine",
    });
    this.checkpointer = cachedStatementSaver(join(this.dir, "checkpoints.db"));
  }

  /**
   * Everything compile() needs from the store: the journals, the keys that verify approvers,
   * the replay ledger, the kill switch, the spend ledger and memory. One place, so a graph compiled
   * for the CLI, for tests or for LangGraph's server obeys the same controls.
   */
  graphServices(): GraphServices {
    return {
      audit: this.audit,
      effects: this.effects,
      tokenKeys: this.tokenKeys,
      approvalUses: this.approvalUses,
      killSwitch: this.kills,
      spend: this.spend,
      memory: this.memory,
    } as const;
  }

  close(): void {
    // The audit head follows appends a few ms late: write it before the connection goes.
    try {
      this.audit.flush();
      this.memory.index?.close?.();
    } finally {
      this.db.close();
    }
    // SqliteSaver keeps its connection private; closing ours is enough for the journals, and
    // the process exit releases the checkpointer's.
    (this.checkpointer as unknown as { db?: { close(): void } }).db?.close();
  }
}
