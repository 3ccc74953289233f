import type { SessionMemoryResult } from "../concurrency/session-memory.js";
import type { FigureRow } from "./figure-row.js";
import { skipped } from "./figure-rows.js";

/** The goal: 10,000 concurrent sessions in one process peak at most this RSS, in MB. */
export const SESSIONS_GOAL_MB = 2048;
const GOAL_SESSIONS = 10_000;
/** Fewer sessions than this are too few to extrapolate from. */
const MIN_EXTRAPOLATE = 1000;

/**
 * The peak-RSS row: `sessions` sessions through `GovernorRuntime.start` against the same
 * sessions in bare LangGraph, each in a fresh process. Below 10,000 sessions the verdict is
 * on the peak extrapolated to 10,000 (the warm baseline plus the measured cost per session),
 * and below 1,000 there is none.
 */
export function sessionsRow(result: SessionMemoryResult | undefined, sessions: number): FigureRow {
  const figure = `peak RSS, ${sessions} concurrent sessions`;
  if (!result) return skipped("sessions-rss", figure, "skipped (BENCH_SESSIONS=0)");
  const { runtime, bare } = result;
  // Below 10k the verdict is on the peak extrapolated to 10k (the issue found memory linear in
  // sessions); below MIN_EXTRAPOLATE the per-session slope is mostly heap-growth noise.
  const atGoal =
    result.sessions >= GOAL_SESSIONS
      ? runtime.peakRssMb
      : runtime.baselineRssMb + (result.runtimeKbPerSession * GOAL_SESSIONS) / 1024;
  const judged = result.sessions >= MIN_EXTRAPOLATE;
  const extrapolated =
    result.sessions >= GOAL_SESSIONS
      ? ""
      : judged
        ? `; ${atGoal.toFixed(0)} MB extrapolated to 10k (the verdict)`
        : `; not judged below ${MIN_EXTRAPOLATE} sessions`;
  return {
    id: "sessions-rss",
    figure,
    unit: "MB",
    wall: runtime.peakRssMb,
    baseline: { label: "bare LangGraph sessions", wall: bare.peakRssMb },
    ratio: { wall: result.peakRssRatio },
    goal: {
      text: `≤ ${SESSIONS_GOAL_MB} MB at 10k`,
      ...(judged ? { pass: atGoal <= SESSIONS_GOAL_MB } : {}),
    },
    headline: "wall",
    note: `each variant in a fresh process; ${result.runtimeKbPerSession.toFixed(0)} KB a session governed vs ${result.bareKbPerSession.toFixed(0)} KB bare${extrapolated}; governed ${(runtime.wallMs / 1000).toFixed(1)} s wall, ${(runtime.cpuMs / 1000).toFixed(1)} s CPU (${runtime.completed} completed, ${runtime.waiting} waiting)`,
  };
}
