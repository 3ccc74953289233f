import { findRun, runSummaryOf } from "@governor/core";
import { Hono } from "hono";
import type { ConsoleContext, ConsoleEnv } from "../console-context.js";
import { runMarks } from "../graph-view.js";
import { type LiveEvent, liveStream } from "../live-stream.js";
import { entryText } from "../pages/timeline-text.js";
import { statusFilter, threadParam, timelineOf, workflowFilter } from "../run-data.js";

/** As many runs as the list shows. */
const LIST_LIMIT = 200;

/**
 * GET /events/runs (every listed run whose status or last change moved, with the list's
 * filters) and GET /events/runs/:thread (one run's status, current node, new timeline entries).
 * The first look sends everything, so a page rendered a moment before the stream opened
 * misses nothing.
 */
export function eventRoutes(
  ctx: ConsoleContext,
  pollMs: number,
  signal: AbortSignal | undefined,
): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.get("/events/runs", (c) => {
    const status = statusFilter(c.req.query("status"));
    const workflow = workflowFilter(c.req.query("workflow"));
    const filter = { ...(status ? { status } : {}), ...(workflow !== undefined ? { workflow } : {}) };
    const seen = new Map<string, string>();
    return liveStream(c, pollMs, signal, async () => {
      const events: LiveEvent[] = [];
      // Oldest first, so a script that inserts each new run at the top ends with the newest on top.
      for (const run of (await ctx.runtime.store.runs.find(filter, { limit: LIST_LIMIT })).reverse()) {
        const version = `${run.status}|${run.updatedAt}`;
        if (seen.get(run.threadId) === version) continue;
        seen.set(run.threadId, version);
        events.push({ event: "run", data: runSummaryOf(run) });
      }
      return events;
    });
  });

  app.get("/events/runs/:thread", async (c) => {
    const threadId = (await findRun(ctx.runtime, threadParam(c.req.param("thread")))).threadId;
    const after = Number(c.req.query("after") ?? "0");
    let lastSeq = Number.isSafeInteger(after) && after > 0 ? after : 0;
    let lastVersion = "";
    return liveStream(c, pollMs, signal, async () => {
      const run = await ctx.runtime.store.runs.get(threadId);
      if (!run) return [{ event: "problem", data: { message: `run ${threadId} is no longer in the store` } }];
      const timeline = await timelineOf(ctx.runtime, run);
      const events: LiveEvent[] = [];
      for (const entry of timeline.entries) {
        if (entry.seq <= lastSeq) continue;
        lastSeq = entry.seq;
        events.push({ event: "entry", data: entryText(entry) });
      }
      const marks = runMarks(timeline);
      const version = `${run.status}|${run.updatedAt}|${marks.current.join(",")}|${lastSeq}`;
      if (version !== lastVersion) {
        lastVersion = version;
        events.push({
          event: "run",
          data: { ...runSummaryOf(run), current: marks.current, nodeStatus: marks.status },
        });
      }
      return events;
    });
  });

  return app;
}
