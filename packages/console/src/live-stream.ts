import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";

/** What one look at the store found to send: named events with JSON data. */
export type LiveEvent = { readonly event: string; readonly data: unknown };

/**
 * A server-sent event stream that looks at the store every `pollMs` and sends what changed.
 * Polling, not notifications, because the writers are other processes (the CLI, workers) on a
 * SQLite file or a database the console cannot subscribe to. Ends when the browser goes away
 * or the console stops (`signal`). A failed look is reported as a `problem` event and tried
 * again, so a store that is briefly busy does not end the page's live view.
 */
export function liveStream(
  c: Context,
  pollMs: number,
  signal: AbortSignal | undefined,
  look: () => Promise<readonly LiveEvent[]>,
): Response {
  c.header("Cache-Control", "no-store");
  return streamSSE(c, async (stream) => {
    const stop = () => void stream.close();
    signal?.addEventListener("abort", stop, { once: true });
    try {
      while (!stream.aborted && !stream.closed && !signal?.aborted) {
        let events: readonly LiveEvent[];
        try {
          events = await look();
        } catch (error) {
          events = [
            { event: "problem", data: { message: error instanceof Error ? error.message : String(error) } },
          ];
        }
        for (const { event, data } of events) await stream.writeSSE({ event, data: JSON.stringify(data) });
        await pause(stream, pollMs, signal);
      }
    } finally {
      signal?.removeEventListener("abort", stop);
    }
  });
}

/** Waits `ms`, or less when the console stops or the browser leaves. */
function pause(stream: SSEStreamingApi, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    stream.onAbort(done);
  });
}
