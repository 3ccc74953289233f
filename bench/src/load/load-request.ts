import { agentLoopWorkload } from "./agent-loop-workload.js";
import type { LoadWorkload, WorkloadName } from "./load-workload.js";
import { refundWorkload } from "./refund-workload.js";
import type { SessionClock } from "./session-clock.js";
import type { ModelLatency } from "./simulated-latency-model.js";

/** What one load process is asked to run (passed to child processes as JSON). */
export interface LoadRequest {
  readonly workload: WorkloadName;
  readonly sessions: number;
  /** Starts spread over this many ms (0: all at once). */
  readonly rampMs: number;
  readonly latency: ModelLatency;
  /** Every n-th refund session waits for a supervisor (0: none). */
  readonly waitingEvery: number;
}

/** The workload a request names, with its latency and case mix. */
export function workloadFor(request: LoadRequest, sessionOf?: () => SessionClock | undefined): LoadWorkload {
  const options = { latency: request.latency, waitingEvery: request.waitingEvery, sessionOf };
  return request.workload === "refund" ? refundWorkload(options) : agentLoopWorkload(options);
}
