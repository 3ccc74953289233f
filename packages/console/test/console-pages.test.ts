import { describe, expect, test } from "vitest";
import { CONTENT_SECURITY_POLICY } from "../src/index.js";
import { get, page, testIds } from "./support/console-requests.js";
import { useConsoleStore } from "./support/console-store.js";
import { threeRuns } from "./support/three-runs.js";

const openStore = useConsoleStore();
const SLOW = 120_000;

describe("console pages over a store with a completed, a waiting and a failed refund run", () => {
  test(
    "the runs list shows each run with its status and workflow, newest first, and the waiting count",
    async () => {
      const store = openStore();
      const runs = await threeRuns(store.runtime);
      const html = await page(store, "/runs");
      const rows = [...html.matchAll(/data-testid="run-row" data-thread="([^"]+)"/g)].map((m) => m[1]);
      expect(rows).toEqual([runs.failed, runs.waiting, runs.completed]);
      expect(testIds(html, "run-status")).toEqual(["failed", "waiting", "completed"]);
      expect(testIds(html, "run-workflow")).toEqual(["refund", "refund", "refund"]);
      expect(testIds(html, "waiting-count")).toEqual(["1"]);
      expect(html).toContain('data-live="/events/runs?status=&amp;workflow="');
    },
    SLOW,
  );

  test(
    "filters by status and by workflow; an unknown status is a 400 naming the statuses",
    async () => {
      const store = openStore();
      const runs = await threeRuns(store.runtime);
      const waiting = await page(store, "/runs?status=waiting");
      expect([...waiting.matchAll(/data-testid="run-row" data-thread="([^"]+)"/g)].map((m) => m[1])).toEqual([
        runs.waiting,
      ]);
      expect(waiting).toMatch(/<option value="waiting" selected>/);
      const none = await page(store, "/runs?workflow=claims");
      expect(none).not.toContain('data-testid="run-row"');
      const both = await page(store, "/runs?status=failed&workflow=refund");
      expect(testIds(both, "run-status")).toEqual(["failed"]);
      for (const bad of ["paused", "<script>", "waiting%00"]) {
        const response = await get(store, `/runs?status=${bad}`);
        expect(response.status).toBe(400);
        expect(await response.text()).toMatch(
          /is not a run status: use one of queued, running, waiting, completed, failed/,
        );
      }
      expect((await get(store, `/runs?workflow=${"w".repeat(201)}`)).status).toBe(400);
    },
    SLOW,
  );

  test(
    "each run's page has its status, the timeline of governor runs show, usage and cost, and the graph at its node",
    async () => {
      const store = openStore();
      const runs = await threeRuns(store.runtime);
      const completed = await page(store, `/runs/${runs.completed}`);
      expect(testIds(completed, "run-status")).toEqual(["completed"]);
      const entries = testIds(completed, "timeline-entry");
      const records = await store.runtime.store.audit.list(runs.completed);
      expect(entries).toHaveLength(records.length);
      expect(entries.join("\n")).toMatch(/policy ALLOW issue_refund/);
      expect(entries.join("\n")).toMatch(/tool issue_refund executed/);
      expect(testIds(completed, "run-usage")[0]).toMatch(/Model calls\s*2/);
      expect(completed).toMatch(/<svg[^>]*data-testid="graph"/);
      expect(completed).not.toContain('data-current="true"');

      const waiting = await page(store, `/runs/${runs.waiting.slice(0, 8)}`);
      expect(testIds(waiting, "run-status")).toEqual(["waiting"]);
      expect(testIds(waiting, "timeline-entry").join("\n")).toMatch(/approval requested issue_refund/);
      const current = [...waiting.matchAll(/<g[^>]*data-node="([^"]+)"[^>]*data-current="true"/g)].map(
        (m) => m[1],
      );
      expect(current).toHaveLength(1);
      expect(current[0]).toMatch(/approval/);

      const failed = await page(store, `/runs/${runs.failed}`);
      expect(testIds(failed, "run-status")).toEqual(["failed"]);
      expect(testIds(failed, "run-error")[0]).toMatch(/\S/);
    },
    SLOW,
  );

  test(
    "an unknown or malformed thread, page or workflow is a 404 that says so",
    async () => {
      const store = openStore();
      await threeRuns(store.runtime);
      for (const thread of ["no-such-thread", "x".repeat(300), "%00abc"]) {
        const response = await get(store, `/runs/${thread}`);
        expect(response.status).toBe(404);
        expect(await response.text()).toMatch(/RUN_NOT_FOUND/);
      }
      expect((await get(store, "/nowhere")).status).toBe(404);
      expect((await get(store, "/audit/nothing-here")).status).toBe(404);
      expect((await get(store, "/graphs/nope")).status).toBe(404);
    },
    SLOW,
  );

  test(
    "graphs, audit, controls and approvals render; the root redirects to the runs",
    async () => {
      const store = openStore();
      const runs = await threeRuns(store.runtime);
      const root = await get(store, "/");
      expect(root.status).toBe(303);
      expect(root.headers.get("location")).toBe("/runs");
      expect(testIds(await page(store, "/graphs"), "workflow")).toEqual([expect.stringMatching(/^refund/)]);
      const graph = await page(store, "/graphs/refund");
      expect(graph).toMatch(/<g[^>]*data-node="[^"]+"[^>]*data-kind="approval"/);
      const audit = await page(store, "/audit");
      expect(testIds(audit, "verify-result")[0]).toMatch(/Not verified/);
      expect(testIds(audit, "audit-thread")).toEqual(
        expect.arrayContaining([runs.completed, runs.waiting, runs.failed]),
      );
      const records = await page(store, `/audit/${runs.completed}`);
      expect(testIds(records, "audit-record")).toHaveLength(
        (await store.runtime.store.audit.list(runs.completed)).length,
      );
      const controls = await page(store, "/controls");
      expect(controls).toContain('data-testid="kill-form"');
      expect(testIds(controls, "run-counts")[0]).toMatch(/1 waiting.*1 completed.*1 failed/s);
      expect(controls).toContain('data-testid="spend"');
      expect((await get(store, "/approvals")).status).toBe(200);
    },
    SLOW,
  );

  test(
    "every page carries the CSP and the other security headers, and is not cached",
    async () => {
      const store = openStore();
      for (const path of ["/runs", "/graphs", "/audit", "/controls", "/approvals", "/nowhere"]) {
        const response = await get(store, path);
        expect(response.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
        expect(response.headers.get("x-content-type-options")).toBe("nosniff");
        expect(response.headers.get("referrer-policy")).toBe("no-referrer");
        expect(response.headers.get("x-frame-options")).toBe("DENY");
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
      const script = await get(store, "/static/console.js");
      expect(script.status).toBe(200);
      expect(script.headers.get("content-type")).toMatch(/javascript/);
      expect(await script.text()).not.toMatch(
        /\.innerHTML|\.outerHTML|insertAdjacentHTML|eval\(|new Function/,
      );
      for (const path of [
        "/static/..%2Fpackage.json",
        "/static/index.ts",
        "/static/%2e%2e%2fsrc%2findex.ts",
      ]) {
        expect((await get(store, path)).status).toBe(404);
      }
    },
    SLOW,
  );
});
