import { GOVERNOR_SPAN_ATTRIBUTES as A, traceIdOf } from "@governor/core";
import { SqliteAuditJournal } from "@governor/observability";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { maskingAuditJournal } from "../src/privacy/audit-mask.js";
import { tracingAuditJournal } from "../src/tracing/decision-spans.js";
import { maskedJson } from "../src/tracing/masked-json.js";
import { runRootContext } from "../src/tracing/run-trace.js";
import { holdOpen } from "../src/tracing/span-parents.js";
import { inToolSpan } from "../src/tracing/tool-span.js";

const exporter = new InMemorySpanExporter();
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
afterAll(() => {
  trace.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

const EMAIL = "dana.reyes@example.com";
const CARD = "4242424242424242";

describe("what spans may carry", () => {
  it("masks e-mails, cards and the workflow's sensitive fields in span JSON", () => {
    const json = maskedJson(
      { note: `write ${EMAIL}`, card: `card ${CARD}`, ssn: "123-45-6789" },
      { sensitive: ["ssn"] },
    );
    expect(json).not.toContain(EMAIL);
    expect(json).not.toContain(CARD);
    expect(json).not.toContain("123-45-6789");
    expect(json).toContain("[card ****4242]");
    expect(json).toContain("[redacted]");
  });

  it("makes each audit record a decision span, masked, under the span of its node", async () => {
    const journal = tracingAuditJournal(maskingAuditJournal(new SqliteAuditJournal(":memory:")));
    // The span of node "gate" of run t-1, held open as a node's span is while it runs.
    const parent = trace.getTracer("test").startSpan("gate", undefined, runRootContext("t-1"));
    const release = holdOpen(parent, "t-1", "gate");
    journal.append({
      threadId: "t-1",
      kind: "policy",
      outcome: "deny",
      node: "gate",
      tool: "send_mail",
      data: {
        callId: "c-1",
        reasons: [`no mail to ${EMAIL}`],
        policyIds: ["no-external-mail"],
        args: { to: EMAIL },
      },
    });
    release();
    parent.end();
    const decision = exporter.getFinishedSpans().find((span) => span.name === "governor.policy");
    expect(decision?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(decision?.spanContext().traceId).toBe(traceIdOf("t-1"));
    expect(decision?.attributes[A.decision]).toBe("deny");
    expect(decision?.attributes[A.policyIds]).toEqual(["no-external-mail"]);
    expect(decision?.attributes[A.observationLevel]).toBe("WARNING");
    expect(JSON.stringify(decision?.attributes)).not.toContain(EMAIL);
  });

  it("puts a decision made outside any Governor span (a prebuilt tool node) into its run's trace", () => {
    const journal = tracingAuditJournal(new SqliteAuditJournal(":memory:"));
    journal.append({ threadId: "t-9", kind: "policy", outcome: "allow", data: {} });
    const [decision] = exporter.getFinishedSpans();
    expect(decision?.spanContext().traceId).toBe(traceIdOf("t-9"));
  });

  it("masks a tool call's arguments and result, and marks a failed call", async () => {
    await inToolSpan(
      {
        threadId: "t-2",
        node: "mail",
        tool: "send_mail",
        callId: "c-2",
        idempotencyKey: "k",
        args: { to: EMAIL },
      },
      undefined,
      async () => ({
        ok: true,
        result: { sentTo: EMAIL },
        replayed: false,
      }),
    );
    await inToolSpan(
      {
        threadId: "t-2",
        node: "charge",
        tool: "charge",
        callId: "c-3",
        idempotencyKey: "k2",
        args: { card: CARD },
      },
      undefined,
      async () => ({
        ok: false,
        error: `declined ${CARD}`,
        reason: "failed",
        replayed: false,
      }),
    );
    const [sent, charged] = exporter.getFinishedSpans();
    expect(sent?.attributes[A.executionOutcome]).toBe("executed");
    expect(charged?.attributes[A.executionOutcome]).toBe("failed");
    expect(charged?.status.code).toBe(2);
    const everything = JSON.stringify(
      exporter.getFinishedSpans().map((span) => [span.attributes, span.status]),
    );
    expect(everything).not.toContain(EMAIL);
    expect(everything).not.toContain(CARD);
  });
});
