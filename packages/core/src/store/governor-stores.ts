import type { TokenKeys } from "@governor/identity";
import type { MemoryStore } from "@governor/memory";
import type { AuditJournal, Awaitable } from "@governor/observability";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { ApprovalUseLedger } from "../approvals/approval-uses.js";
import type { SpendLedger } from "../budget/daily-spend.js";
import type { KillSwitchStore } from "../control/kill-switch.js";
import type { ToolCallLimits } from "../gateway/call-limits.js";
import type { EffectJournal } from "../gateway/effect-journal.js";
import type { LeaseStore, RunStore } from "./run-store.js";

/** Everything compile() needs from a store: the controls every graph compiled on it obeys. */
export interface GraphServices {
  readonly audit: AuditJournal;
  readonly effects: EffectJournal;
  readonly tokenKeys: TokenKeys;
  readonly approvalUses: ApprovalUseLedger;
  readonly killSwitch: KillSwitchStore;
  readonly spend: SpendLedger;
  readonly memory?: MemoryStore;
  /**
   * Circuit breakers and rate limits around every tool call. Default: in the gateway's
   * process (`InProcessToolCallLimits`); `RedisToolCallLimits` shares them across workers.
   */
  readonly limits?: ToolCallLimits;
}

/**
 * Every store Governor keeps, on one backend: the embedded SQLite store (`GovernorStore`,
 * files under `.governor/`) or PostgreSQL (`@governor/store-postgres`, chosen by
 * `DATABASE_URL`). The runtime, the CLI and the API server see only this, so a workflow runs
 * the same on either; one contract test suite per store (`@governor/store-contracts`) holds
 * both to the same answers.
 */
export interface GovernorStores {
  /** Which backend: "sqlite" or "postgres". */
  readonly backend: string;
  /** Where it is, for messages: a directory, or a database URL without its password. */
  readonly location: string;
  /** LangGraph's checkpointer on the same backend. */
  readonly checkpointer: BaseCheckpointSaver;
  readonly audit: AuditJournal;
  readonly effects: EffectJournal;
  readonly runs: RunStore;
  readonly leases: LeaseStore;
  readonly kills: KillSwitchStore;
  readonly spend: SpendLedger;
  readonly approvalUses: ApprovalUseLedger;
  /** Verifies (and, where this process holds the private part, signs) approvers' decisions. */
  readonly tokenKeys: TokenKeys;
  /** Structured facts; absent on a backend that does not keep them yet (memory nodes then refuse to compile). */
  readonly memory?: MemoryStore;
  graphServices(): GraphServices;
  /** Writes back what is buffered (the audit head) and closes every connection. */
  close(): Awaitable<void>;
}
