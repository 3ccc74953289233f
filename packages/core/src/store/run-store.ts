import type { Principal } from "@governor/identity";
import type { Awaitable } from "@governor/observability";

/**
 * "queued": admitted and waiting for a worker to start it (see GovernorRuntime#admit); the
 * others as a run in one process goes through them.
 */
export type RunStatus = "queued" | "running" | "waiting" | "completed" | "failed";

/** What Governor remembers of a run beyond LangGraph's checkpoints: enough to find and resume it from another process. */
export interface RunRecord {
  readonly threadId: string;
  readonly workflow: string;
  /** The key the workflow is looked up by (`sample:NAME`, `workflow:NAME`, `module:PATH`): written by whoever started the run, so never a path to import. */
  readonly source: string;
  readonly status: RunStatus;
  readonly principal: Principal;
  readonly error?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Which runs `find` and `count` return: every field given must match. */
export interface RunFilter {
  readonly status?: RunStatus;
  readonly workflow?: string;
  /** Only runs started at or after this moment. */
  readonly since?: Date;
}

/** One page of a listing: at most `limit` runs after skipping `offset`. */
export interface RunPage {
  readonly limit: number;
  readonly offset?: number;
}

/**
 * What Governor remembers of each run, wherever it is stored (the embedded SQLite store's
 * `RunRegistry`, or a PostgreSQL one). Every method may answer with a promise: await each call.
 */
export interface RunStore {
  /** @throws {GovernorError} CONFIG_INVALID when a run with this thread id exists. */
  create(
    run: Pick<RunRecord, "threadId" | "workflow" | "source" | "principal"> & {
      /** Default "running". A queued run keeps `input` until a worker starts it. */
      readonly status?: "running" | "queued";
      /** The state a queued run starts from (plain JSON): read back with `input`. */
      readonly input?: unknown;
    },
  ): Awaitable<void>;
  /** The input a queued run was admitted with; undefined for a run started in-process. */
  input(threadId: string): Awaitable<unknown>;
  /**
   * Keeps an answer (signed approval or budget tokens) for a waiting run until a worker resumes
   * it with it; `undefined` clears it. One answer per run: a second replaces the first.
   */
  setAnswer(threadId: string, answer: unknown): Awaitable<void>;
  /** The answer kept for a waiting run, if any. */
  answer(threadId: string): Awaitable<unknown>;
  setStatus(threadId: string, status: RunStatus, error?: string): Awaitable<void>;
  get(threadId: string): Awaitable<RunRecord | undefined>;
  /** Runs whose thread id starts with `prefix`, at most `max` (to tell a unique prefix from an ambiguous one). */
  withPrefix(prefix: string, max?: number): Awaitable<RunRecord[]>;
  /** Every run (or every run in `status`), oldest first. */
  list(status?: RunStatus): Awaitable<RunRecord[]>;
  /** Runs matching `filter`, newest first, one page at a time. */
  find(filter?: RunFilter, page?: RunPage): Awaitable<RunRecord[]>;
  count(filter?: RunFilter): Awaitable<number>;
}

/**
 * Who drives each run right now (see RunLeases): resumes of one thread, from any process or
 * worker, take turns.
 */
export interface LeaseStore {
  /** Takes the run's lease for `owner` until `now + ttlMs`; false while a live holder has it. */
  acquire(threadId: string, owner: string, now: number, ttlMs: number): Awaitable<boolean>;
  release(threadId: string, owner: string): Awaitable<void>;
  /**
   * Extends `owner`'s lease to `now + ttlMs` while it still holds it; false when it does not
   * (it lapsed and another driver took it). A driver renews while it runs, so leases can be
   * short: a worker that dies on another machine frees its runs within one lease.
   */
  renew(threadId: string, owner: string, now: number, ttlMs: number): Awaitable<boolean>;
}
