import type { Workflow } from "@governor/core";
import type { SessionClock } from "./session-clock.js";
import type { ModelLatency, SimulatedLatencyModel } from "./simulated-latency-model.js";

/** How a session is expected to end when its run returns: done, or stopped at an approval. */
export type SessionEnd = "completed" | "waiting";

/** The workloads the load bench drives: the refund sample, and a ten-turn agent loop. */
export type WorkloadName = "refund" | "agent-loop";

/**
 * One kind of session, the same in the single SQLite process and in every worker process:
 * the workflow, the latency-simulating model, the input and expected end of session `i`, and
 * the tool handlers' own count of what they did (by idempotency key), which is how a
 * duplicated effect shows even where every journal says once.
 */
export interface LoadWorkload {
  readonly name: WorkloadName;
  readonly workflow: Workflow;
  readonly model: SimulatedLatencyModel;
  /** Model calls one session makes to reach its end (a check on the script, not a measurement). */
  readonly modelCallsPerSession: (session: number) => number;
  input(session: number): Record<string, unknown>;
  expected(session: number): SessionEnd;
  /** The idempotency key of every handler call made in this process, one entry per call. */
  effects(): readonly string[];
}

export interface WorkloadOptions {
  readonly latency: ModelLatency;
  /** Every n-th refund session asks for $1,200 and stops for a supervisor (0: none do). */
  readonly waitingEvery: number;
  /** Where the model finds the session a call serves (default: AsyncLocalStorage, see SessionClock). */
  readonly sessionOf?: () => SessionClock | undefined;
}
