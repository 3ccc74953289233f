import { type Span, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "../otlp-receiver.js";
import { startTracing } from "./start-tracing.js";
import type { TracingHandle } from "./tracing-handle.js";
import { tracingExportError } from "./tracing-report.js";

const keys = { LANGFUSE_PUBLIC_KEY: "pk-lf-test", LANGFUSE_SECRET_KEY: "sk-lf-test" };

let receiver: OtlpReceiver | undefined;
let tracing: TracingHandle | undefined;
afterEach(async () => {
  await tracing?.shutdown({ timeoutMs: 2_000 });
  await receiver?.close();
  tracing = undefined;
  receiver = undefined;
});

/** A span under Governor's scope, as packages/core writes them. */
function governorSpan(name: string, attributes: Record<string, string | number | boolean> = {}): void {
  trace.getTracer("@governor/core").startActiveSpan(name, { attributes }, (span: Span) => span.end());
}

describe("startTracing with Langfuse", () => {
  it("sends Governor's spans to /api/public/otel/v1/traces with Basic auth, and drops other libraries' plain spans", async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracing({ env: { ...keys, LANGFUSE_BASE_URL: receiver.url } });
    expect(tracing).toMatchObject({ enabled: true, destination: "langfuse" });

    governorSpan("governor.policy", { "governor.decision": "require-approval" });
    trace.getTracer("some-http-client").startSpan("GET /").end();
    const report = await tracing.shutdown({ timeoutMs: 10_000 });

    expect(report).toMatchObject({
      destination: "langfuse",
      exported: 1,
      failed: 0,
      dropped: 0,
      timedOut: false,
    });
    expect(tracingExportError(report)).toBeUndefined();
    const request = receiver.requests[0];
    expect(request?.path).toBe("/api/public/otel/v1/traces");
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from("pk-lf-test:sk-lf-test").toString("base64")}`,
    );
    const spans = receiver.spans();
    expect(spans.map((span) => [span.scope, span.name])).toEqual([["@governor/core", "governor.policy"]]);
    expect(spans[0]?.attributes["governor.decision"]).toBe("require-approval");
    expect(spans[0]?.resource["service.name"]).toBe("governor");
  });

  it("sends nothing further once shut down, and can be started again", async () => {
    receiver = await startOtlpReceiver();
    const env = { ...keys, LANGFUSE_BASE_URL: receiver.url };
    await (await startTracing({ env })).shutdown();
    governorSpan("after-shutdown");
    tracing = await startTracing({ env });
    governorSpan("second-start");
    await tracing.shutdown();
    expect(receiver.spans().map((span) => span.name)).toEqual(["second-start"]);
  });
});

describe("startTracing with a plain OTLP endpoint", () => {
  it("sends every span to <endpoint>/v1/traces with OTEL_EXPORTER_OTLP_HEADERS", async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracing({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/`,
        OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s3cr%3Dt,x-team=ops",
      },
    });
    expect(tracing.destination).toBe("otlp");
    governorSpan("invoke_agent refund");
    trace.getTracer("some-http-client").startSpan("GET /").end();
    const report = await tracing.shutdown();

    expect(report).toMatchObject({ exported: 2, failed: 0, dropped: 0 });
    expect(receiver.requests.map((request) => request.path)).toEqual(["/v1/traces"]);
    expect(receiver.requests[0]?.headers).toMatchObject({ "x-api-key": "s3cr=t", "x-team": "ops" });
    expect(
      receiver
        .spans()
        .map((span) => span.name)
        .sort(),
    ).toEqual(["GET /", "invoke_agent refund"]);
    // NodeSDK would start an OTLP metrics exporter of its own for this endpoint: it must not.
    expect(receiver.requests.some((request) => request.path.includes("metrics"))).toBe(false);
  });
});

describe("startTracing disabled", () => {
  it("returns the disabled handle without an endpoint, and no span is sent anywhere", async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracing({ env: { OTEL_SERVICE_NAME: "x" } });
    expect(tracing).toMatchObject({ enabled: false, destination: "disabled" });
    governorSpan("governor.policy");
    expect(await tracing.shutdown()).toMatchObject({
      destination: "disabled",
      exported: 0,
      failed: 0,
      dropped: 0,
    });
    expect(receiver.requests).toEqual([]);
  });

  it("honours OTEL_SDK_DISABLED even with an endpoint", async () => {
    tracing = await startTracing({
      env: { ...keys, LANGFUSE_BASE_URL: "http://127.0.0.1:9", OTEL_SDK_DISABLED: "true" },
    });
    expect(tracing.enabled).toBe(false);
  });
});

describe("a bad endpoint never fails or holds a run", () => {
  it("connection refused: spans counted as failed, the error names the endpoint", async () => {
    receiver = await startOtlpReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    tracing = await startTracing({ env: { ...keys, LANGFUSE_BASE_URL: url, LANGFUSE_TIMEOUT: "1" } });
    governorSpan("governor.policy");
    governorSpan("governor.approval");
    const report = await tracing.shutdown({ timeoutMs: 10_000 });

    expect(report.exported).toBe(0);
    expect(report.failed + report.dropped).toBe(2);
    expect(report.errors.map((problem) => problem.kind)).toContain("connection-refused");
    const error = tracingExportError(report);
    expect(error?.code).toBe("TRACING_EXPORT_FAILED");
    expect(error?.message).toContain(`${url}/api/public/otel/v1/traces`);
    expect(error?.message).toMatch(/connection refused .*ECONNREFUSED/);
    expect(error?.message).toContain("2 of 2 spans lost");
  });

  it("401: the error says the credentials were rejected", async () => {
    receiver = await startOtlpReceiver("unauthorized");
    tracing = await startTracing({ env: { ...keys, LANGFUSE_BASE_URL: receiver.url } });
    governorSpan("governor.policy");
    const report = await tracing.shutdown();

    expect(receiver.requests).toHaveLength(1);
    expect(report).toMatchObject({ exported: 0, failed: 1, dropped: 0 });
    expect(report.errors).toEqual([expect.objectContaining({ kind: "unauthorized", status: 401 })]);
    expect(tracingExportError(report)?.message).toMatch(/HTTP 401: the endpoint rejected the credentials/);
  });

  it("after a failed batch the endpoint counts as down: later batches are dropped and counted, not sent", async () => {
    receiver = await startOtlpReceiver("unauthorized");
    tracing = await startTracing({ env: { ...keys, LANGFUSE_BASE_URL: receiver.url } });
    governorSpan("first");
    await tracing.flush();
    for (let i = 0; i < 5; i++) {
      governorSpan(`later-${i}`);
      await tracing.flush();
    }
    const report = await tracing.shutdown();

    expect(receiver.requests).toHaveLength(1);
    expect(report).toMatchObject({ exported: 0, failed: 1, dropped: 5 });
    expect(tracingExportError(report)?.message).toContain("6 of 6 spans lost");
  });

  it("a hanging endpoint: shutdown returns within its bound and reports the spans as lost", async () => {
    receiver = await startOtlpReceiver("hang");
    // The export timeout far beyond the shutdown's: the shutdown's bound is what ends the wait.
    tracing = await startTracing({
      env: { ...keys, LANGFUSE_BASE_URL: receiver.url, LANGFUSE_TIMEOUT: "600" },
    });
    governorSpan("governor.policy");
    const report = await tracing.shutdown({ timeoutMs: 500 });

    expect(receiver.requests).toHaveLength(1);
    expect(report).toMatchObject({ exported: 0, failed: 1, timedOut: true });
    expect(report.errors.map((problem) => problem.kind)).toEqual(["timeout"]);
    expect(tracingExportError(report)?.message).toMatch(/no answer in time/);
  });

  it("a dead exporter under many spans: span creation carries on, the queue stays bounded, every span is accounted for", async () => {
    receiver = await startOtlpReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    tracing = await startTracing({
      config: {
        kind: "otlp",
        url: `${url}/v1/traces`,
        headers: {},
        timeoutMs: 200,
        batchSize: 100,
        flushIntervalMs: 10,
        maxQueueSize: 500,
        serviceName: "governor",
      },
    });
    const total = 5_000;
    for (let index = 0; index < total; index++) governorSpan(`node-${index}`, { "governor.step": index });
    // Synchronous span creation finished with the exporter down: nothing waited on it.
    const during = tracing.counts();
    expect(during.dropped).toBeGreaterThanOrEqual(total - 500 - 100);
    const report = await tracing.shutdown({ timeoutMs: 5_000 });
    expect(report.exported).toBe(0);
    expect(report.failed + report.dropped).toBe(total);
    expect(report.errors.map((problem) => problem.kind)).toContain("connection-refused");
  });
});
