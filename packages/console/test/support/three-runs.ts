import type { GovernorRuntime } from "@governor/core";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { refund, runCase } from "./console-store.js";

/** A completed, a waiting ($1,200, for a supervisor) and a failed refund run in the store. */
export async function threeRuns(runtime: GovernorRuntime) {
  const completed = await runCase(runtime, "small-refund");
  const waiting = await runCase(runtime, "large-refund");
  // A model with nothing scripted fails its first call: the run fails.
  const failed = await runtime.start(refund.workflow, refund.cases[0]?.input, {
    model: new ScenarioChatModel(defineScenario({ name: "silent", turns: [] })),
    source: "sample:refund",
  });
  if (completed.status !== "completed" || waiting.status !== "waiting" || failed.status !== "failed") {
    throw new Error(`fixture runs ended ${completed.status}, ${waiting.status}, ${failed.status}`);
  }
  return { completed: completed.threadId, waiting: waiting.threadId, failed: failed.threadId };
}
