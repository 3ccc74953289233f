import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { ScenarioChatModel } from "@governor/models/testing";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { Prng } from "../memory/prng.js";
import { currentSession, type SessionClock } from "./session-clock.js";

/** The simulated model's latency: uniform in [minMs, maxMs], drawn from `seed`. */
export interface ModelLatency {
  readonly minMs: number;
  readonly maxMs: number;
  readonly seed: number;
}

/**
 * The latency of session `session`'s `draw`-th model call: the same numbers on every run and
 * in every process, whichever order the calls happen to be made in under load.
 */
export function latencyOf(latency: ModelLatency, session: number, draw: number): number {
  const prng = new Prng(
    (latency.seed ^ Math.imul(session + 1, 0x9e3779b1) ^ Math.imul(draw + 1, 0x85ebca6b)) >>> 0,
  );
  prng.next();
  return latency.minMs + prng.next() * (latency.maxMs - latency.minMs);
}

/**
 * The scripted model of a sample, answering as late as a hosted model would: it sleeps
 * (a timer, not a busy wait, so the process's CPU goes to orchestration meanwhile), then
 * plays its script. Each call is recorded on the session it serves (see SessionClock); a
 * call made outside any session sleeps the minimum and is not recorded (warm-up).
 */
export class SimulatedLatencyModel extends ScenarioChatModel {
  readonly latency: ModelLatency;
  /** Finds the session a call serves when AsyncLocalStorage has none (a run driven by a worker). */
  readonly sessionOf: () => SessionClock | undefined;

  constructor(
    script: ScenarioChatModel["script"],
    latency: ModelLatency,
    sessionOf: () => SessionClock | undefined = currentSession,
  ) {
    super(script);
    this.latency = latency;
    this.sessionOf = sessionOf;
  }

  override async _generate(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): Promise<ChatResult> {
    const session = this.sessionOf();
    const startedAt = performance.now();
    const modelMs = session
      ? latencyOf(this.latency, session.session, session.nextDraw())
      : this.latency.minMs;
    await sleep(modelMs);
    const result = await super._generate(messages, options, runManager);
    // The timer fires late when the event loop is busy: that lateness is the orchestration's
    // queue, so only the drawn latency counts as the model's time.
    session?.calls.push({ startedAt, endedAt: performance.now(), modelMs });
    return result;
  }
}
