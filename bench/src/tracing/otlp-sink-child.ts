/**
 * A local OTLP endpoint in a process of its own (the receiver of @governor/observability/testing):
 * a real collector runs apart from the traced service, so the CPU spent receiving and parsing
 * spans is not counted as tracing's cost in the bench's process. Forked with an IPC channel by
 * `startSink` (otlp-sink.ts): sends `{ url }` once listening, answers "stats" with what arrived.
 */
import { startOtlpReceiver } from "@governor/observability/testing";

const receiver = await startOtlpReceiver("ok");
const send = (message: unknown) => process.send?.(message);
send({ url: receiver.url });
process.on("message", async (message) => {
  if (message === "stats") {
    const spans = receiver.spans();
    send({
      requests: receiver.requests.length,
      paths: [...new Set(receiver.requests.map((request) => request.path))],
      basicAuth: receiver.requests.every((request) => request.headers.authorization?.startsWith("Basic ")),
      spans: spans.length,
      traces: new Set(spans.map((span) => span.traceId)).size,
      names: [...new Set(spans.map((span) => span.name.split(" ")[0]))].slice(0, 20),
    });
  } else if (message === "close") {
    await receiver.close();
    process.disconnect?.();
  }
});
