import { request as httpRequest } from "node:http";
import { createServer } from "node:net";
import { type ConsoleOptions, startConsole } from "@governor/console";
import type { GovernorError } from "@governor/errors";
import { describe, expect, test } from "vitest";
import { refundWorkflow, useConsoleStore } from "./support/console-store.js";
import { readEvents } from "./support/event-reader.js";

const openStore = useConsoleStore();
const SLOW = 120_000;

function optionsFor(
  store: ReturnType<typeof openStore>,
  extra: Partial<ConsoleOptions> = {},
): ConsoleOptions {
  const workflows = [refundWorkflow()];
  return { runtime: store.runtime, workflows, workflowFor: async () => workflows[0], ...extra };
}

/** A GET with a Host header of our choosing (fetch does not let a caller set Host). */
function statusWithHost(url: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/runs`, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on("error", reject);
    request.end();
  });
}

async function refusal(start: Promise<unknown>): Promise<GovernorError> {
  try {
    await start;
  } catch (error) {
    return error as GovernorError;
  }
  throw new Error("the console started");
}

describe("startConsole", () => {
  test(
    "serves on a free loopback port; the URL answers, a foreign Host does not, and close ends open streams",
    async () => {
      const store = openStore();
      const running = await startConsole(optionsFor(store, { pollMs: 50 }));
      try {
        expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const page = await fetch(`${running.url}/runs`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain('data-testid="runs"');
        const port = new URL(running.url).port;
        const localhost = await fetch(`http://localhost:${port}/runs`).catch(() => undefined);
        if (localhost) expect(localhost.status).toBe(200);
        expect(await statusWithHost(running.url, `evil.example:${port}`)).toBe(403);
        const events = readEvents(await fetch(`${running.url}/events/runs`));
        expect(events.ended).toBe(false);
        await running.close();
        // close() resolves only once every connection is gone, the open stream included.
        const outcome = await Promise.race([
          events.finished.then(
            () => "ended",
            () => "cut",
          ),
          new Promise((resolve) => setTimeout(() => resolve("still open"), 30_000)),
        ]);
        expect(outcome).not.toBe("still open");
        await expect(fetch(`${running.url}/runs`)).rejects.toThrow();
      } finally {
        await running.close().catch(() => undefined);
      }
    },
    SLOW,
  );

  test(
    "a non-loopback host is refused without --allow-remote and approver tokens, naming what is missing",
    async () => {
      const store = openStore();
      const neither = await refusal(startConsole(optionsFor(store, { host: "0.0.0.0" })));
      expect(neither.code).toBe("CONFIG_INVALID");
      expect(neither.message).toMatch(
        /0\.0\.0\.0.*not a loopback address.*--allow-remote \(allowRemote\) and approver tokens/,
      );
      const noTokens = await refusal(
        startConsole(optionsFor(store, { host: "192.0.2.10", allowRemote: true })),
      );
      expect(noTokens.message).toMatch(/without approver tokens \(approverTokens\)/);
      expect(noTokens.message).not.toMatch(/--allow-remote/);
      const noFlag = await refusal(
        startConsole(
          optionsFor(store, { host: "::", approverTokens: { verify: async () => ({ approver: "x" }) } }),
        ),
      );
      expect(noFlag.message).toMatch(/without --allow-remote \(allowRemote\):/);
    },
    SLOW,
  );

  test(
    "bad ports, hosts and poll intervals are refused before anything binds",
    async () => {
      const store = openStore();
      for (const [extra, message] of [
        [{ port: 70_000 }, /port 70000 is not a port number/],
        [{ port: -1 }, /port -1/],
        [{ port: 1.5 }, /port 1.5/],
        [{ host: "" }, /host "" is not a host name/],
        [{ host: "127.0.0.1/evil" }, /is not a host name/],
        [{ pollMs: 0 }, /pollMs 0/],
      ] as const) {
        const error = await refusal(startConsole(optionsFor(store, extra)));
        expect(error.code).toBe("CONFIG_INVALID");
        expect(error.message).toMatch(message);
      }
    },
    SLOW,
  );

  test(
    "a port in use is a clear error naming the port",
    async () => {
      const store = openStore();
      const holder = createServer();
      await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
      const port = (holder.address() as { port: number }).port;
      try {
        const error = await refusal(startConsole(optionsFor(store, { port })));
        expect(error.code).toBe("CONFIG_INVALID");
        expect(error.message).toMatch(new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use.*--port`));
      } finally {
        await new Promise((resolve) => holder.close(resolve));
      }
    },
    SLOW,
  );
});
