import { ScenarioChatModel } from "@governor/models/testing";
import { refundSample } from "@governor/sample-refund";
import { pollUntil } from "@governor/testing-services";
import { describe, expect, test } from "vitest";
import { get } from "./support/console-requests.js";
import { refund, runCase, useConsoleStore } from "./support/console-store.js";
import { readEvents } from "./support/event-reader.js";

const openStore = useConsoleStore();
const SLOW = 120_000;

type RunEvent = { threadId: string; status: string; current?: string[] };

describe("live views follow the store, whoever writes it", () => {
  test(
    "/events/runs sends a run another runtime starts, then its status change when another runtime decides it",
    async () => {
      const store = openStore();
      const done = await runCase(store.runtime, "small-refund");
      const response = await get(store, "/events/runs");
      expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
      const stream = readEvents(response);
      // The first look sends what is already there.
      await stream.until("the completed run", (e) => (e.data as RunEvent).threadId === done.threadId);

      const other = store.other();
      const waiting = await runCase(other, "large-refund");
      await stream.until("the new run, waiting", (e) => {
        const run = e.data as RunEvent;
        return e.event === "run" && run.threadId === waiting.threadId && run.status === "waiting";
      });
      await other.decide(
        refund.workflow,
        waiting.threadId,
        {
          decision: "approve",
          approver: "supervisor:sam",
          reason: "ok",
          requestId: waiting.approval?.requestId ?? "",
        },
        { model: new ScenarioChatModel(refundSample.scenario) },
      );
      await stream.until("the run completed", (e) => {
        const run = e.data as RunEvent;
        return run.threadId === waiting.threadId && run.status === "completed";
      });
      // A run whose status did not change is not sent again.
      expect(stream.events.filter((e) => (e.data as RunEvent).threadId === done.threadId)).toHaveLength(1);
      await stream.cancel();
    },
    SLOW,
  );

  test(
    "/events/runs keeps to the list's filters",
    async () => {
      const store = openStore();
      const response = await get(store, "/events/runs?status=completed");
      const stream = readEvents(response);
      const waiting = await runCase(store.other(), "large-refund");
      const completed = await runCase(store.other(), "small-refund");
      await stream.until("the completed run", (e) => (e.data as RunEvent).threadId === completed.threadId);
      expect(stream.events.map((e) => (e.data as RunEvent).threadId)).not.toContain(waiting.threadId);
      await stream.cancel();
      expect((await get(store, "/events/runs?status=paused")).status).toBe(400);
    },
    SLOW,
  );

  test(
    "/events/runs/:thread sends the entries after the page's last one, the current node, and the outcome",
    async () => {
      const store = openStore();
      const waiting = await runCase(store.runtime, "large-refund");
      const records = await store.runtime.store.audit.list(waiting.threadId);
      const lastSeq = records.at(-1)?.seq ?? 0;
      const stream = readEvents(await get(store, `/events/runs/${waiting.threadId}?after=${lastSeq}`));
      const first = await stream.until("the run's state", (e) => e.event === "run");
      expect(first.data).toMatchObject({ status: "waiting", current: [expect.stringMatching(/approval/)] });
      expect(stream.events.filter((e) => e.event === "entry")).toEqual([]);
      await store.other().decide(
        refund.workflow,
        waiting.threadId,
        {
          decision: "approve",
          approver: "supervisor:sam",
          reason: "ok",
          requestId: waiting.approval?.requestId ?? "",
        },
        { model: new ScenarioChatModel(refundSample.scenario) },
      );
      const approved = await stream.until(
        "the approval entry",
        (e) => e.event === "entry" && /approval approved/.test((e.data as { headline: string }).headline),
      );
      expect((approved.data as { seq: number }).seq).toBeGreaterThan(lastSeq);
      await stream.until(
        "completed",
        (e) => e.event === "run" && (e.data as RunEvent).status === "completed",
      );
      await stream.cancel();
      expect((await get(store, "/events/runs/no-such-thread")).status).toBe(404);
    },
    SLOW,
  );

  test(
    "stopping the console ends every open stream",
    async () => {
      const store = openStore();
      await runCase(store.runtime, "small-refund");
      const streams = [
        readEvents(await get(store, "/events/runs")),
        readEvents(await get(store, "/events/runs")),
      ];
      await Promise.all(streams.map((s) => s.until("a first look", () => true)));
      expect(streams.some((s) => s.ended)).toBe(false);
      store.stop();
      await pollUntil("every stream ended", () => streams.every((s) => s.ended), 30_000);
    },
    SLOW,
  );
});
