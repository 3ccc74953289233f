import type { GovernorRuntime, ResumeOptions, RunRecord, Workflow } from "@governor/core";

/**
 * A workflow the console knows: drawn on the graphs page, and used to decide its runs'
 * approvals. `options` are what its runs resume with (its models), as the CLI resolves them.
 */
export interface ConsoleWorkflow {
  /** The workflow's name (`workflow.name`). */
  readonly name: string;
  /** Where it comes from, as runs record it: `sample:refund`, `workflow:NAME`, `module:PATH`. */
  readonly source: string;
  readonly workflow: Workflow;
  readonly options?: ResumeOptions;
}

/**
 * Who is deciding, proved. On loopback (development) the person at the machine holds the
 * store's local approver key, as `governor approve` does, and picks who they decide as; on any
 * other address every decision needs a signed approver token, and the console decides as the
 * approver the token names, never as someone typed in a form.
 */
export interface ApproverTokenVerifier {
  /**
   * @returns the approver id the token proves.
   * @throws {GovernorError} APPROVAL_INVALID for a missing, malformed, expired or wrongly signed token.
   */
  verify(token: string): Promise<{ readonly approver: string }>;
}

/** Hands a run's next step to a worker (REDIS_URL set), as `governor approve` does then. */
export interface ConsoleQueue {
  enqueueFromStore(runs: GovernorRuntime["store"]["runs"], threadId: string): Promise<unknown>;
}

export interface ConsoleOptions {
  /** The same store the CLI uses (the CLI opens it with openRuntime). The console does not close it. */
  readonly runtime: GovernorRuntime;
  /** Every workflow to draw on the graphs page. */
  readonly workflows: readonly ConsoleWorkflow[];
  /**
   * Finds a stored run's workflow (from its recorded source). Undefined: the console shows the
   * run but cannot decide it (and says so).
   */
  readonly workflowFor: (run: RunRecord) => Promise<ConsoleWorkflow | undefined>;
  /** Default "127.0.0.1". Anything but loopback needs `allowRemote` and `approverTokens`. */
  readonly host?: string;
  /** Default 0: a free port (read it from the started console's `url`). */
  readonly port?: number;
  /** Must be true to bind a non-loopback host. */
  readonly allowRemote?: boolean;
  /** Required off loopback; on loopback, optional (then decisions need a token there too). */
  readonly approverTokens?: ApproverTokenVerifier;
  /** Who decides by default on loopback: `--approver`, $GOVERNOR_APPROVER or the OS user. */
  readonly defaultApprover?: string;
  /** With REDIS_URL set: decisions are stored and the resume is left to a worker. */
  readonly queue?: ConsoleQueue;
  /** How often live views look at the store for changes (ms). Default 500. */
  readonly pollMs?: number;
}

/** A started console. */
export interface RunningConsole {
  /** e.g. `http://127.0.0.1:4321`. */
  readonly url: string;
  /** Stops serving and ends every live stream; the runtime stays open (its owner closes it). */
  close(): Promise<void>;
}
