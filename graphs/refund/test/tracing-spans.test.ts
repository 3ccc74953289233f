import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GOVERNOR_SPAN_ATTRIBUTES as A, GovernorRuntime, replayRun, traceIdOf } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRefundSample, PaymentsLedger, refundSample } from "../src/index.js";

// An in-memory exporter on the global OpenTelemetry API: what Governor's spans are, before
// any exporter serialises them. The wire format is tested end to end in apps/cli (tracing.test.ts).
const exporter = new InMemorySpanExporter();
const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
});
afterAll(() => {
  trace.disable();
  context.disable();
});

let dir: string;
let runtime: GovernorRuntime;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-spans-"));
  runtime = new GovernorRuntime({ dir });
  exporter.reset();
});
afterEach(() => {
  runtime.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const EMAIL = "dana.reyes@example.com";
const CARD = "4111 1111 1111 1111";
const large = {
  customerId: "C-100",
  orderId: "A-1002",
  request: `The laptop never arrived. I want $1,200 back now. Reach me at ${EMAIL}, card ${CARD}.`,
};

const byId = (spans: ReadableSpan[]) => new Map(spans.map((span) => [span.spanContext().spanId, span]));
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const attr = (span: ReadableSpan, name: string) => span.attributes[name];

describe("spans of a governed run", () => {
  it("make one trace across start and resume: segment → node → generation / tool → decision, masked", async () => {
    const sample = createRefundSample({ ledger: new PaymentsLedger() });
    const model = new ScenarioChatModel(refundSample.scenario);
    const waiting = await runtime.start(sample.workflow, large, { model });
    expect(waiting.status).toBe("waiting");
    const done = await runtime.decide(
      sample.workflow,
      waiting.threadId,
      { approver: "supervisor:sam", decision: "approve", reason: "customer of ten years" },
      { model },
    );
    expect(done.status).toBe("completed");

    const spans = exporter.getFinishedSpans();
    const ids = byId(spans);
    // One trace, whose id anyone can compute from the thread id.
    expect(new Set(spans.map((span) => span.spanContext().traceId))).toEqual(
      new Set([traceIdOf(waiting.threadId)]),
    );

    const segments = spans.filter((span) => attr(span, A.genAiOperation) === "invoke_agent");
    expect(segments.map((span) => [attr(span, A.segment), attr(span, A.runStatus)])).toEqual([
      ["start", "waiting"],
      ["resume", "completed"],
    ]);
    for (const segment of segments) {
      expect(segment.name).toBe("invoke_agent refund");
      expect(attr(segment, A.sessionId)).toBe(waiting.threadId);
      expect(attr(segment, A.userId)).toBe("agent:support");
      // Both hang under the same virtual root: the remote parent derived from the thread.
      expect(ids.has(parentOf(segment) ?? "")).toBe(false);
    }
    expect(parentOf(segments[0] as ReadableSpan)).toBe(parentOf(segments[1] as ReadableSpan));

    // Nodes nest under their segment.
    const nodes = spans.filter(
      (span) => attr(span, A.node) !== undefined && attr(span, A.auditKind) === undefined,
    );
    const nodeNames = nodes.map((span) => span.name);
    expect(nodeNames).toEqual(
      expect.arrayContaining([
        "load_customer",
        "propose",
        "check_refund",
        "refund_gate",
        "refund_approval",
        "issue_refund",
        "respond",
      ]),
    );
    for (const node of nodes) {
      expect(attr(ids.get(parentOf(node) ?? "") as ReadableSpan, A.genAiOperation)).toBe("invoke_agent");
    }
    const approvalNodes = nodes.filter((span) => span.name === "refund_approval");
    expect(approvalNodes[0] && attr(approvalNodes[0], A.interrupted)).toBe(true);

    // Generations: under the model node, with usage and cost.
    const generations = spans.filter((span) => attr(span, A.genAiOperation) === "chat");
    expect(generations).toHaveLength(2);
    for (const generation of generations) {
      expect(ids.get(parentOf(generation) ?? "")?.name).toMatch(/^(propose|respond)$/);
      expect(attr(generation, A.observationType)).toBe("generation");
      expect(attr(generation, A.genAiInputTokens)).toBeGreaterThan(0);
      expect(attr(generation, A.genAiOutputTokens)).toBeGreaterThan(0);
      expect(JSON.parse(String(attr(generation, A.observationCost))).total).toBeGreaterThan(0);
      expect(attr(generation, A.genAiResponseModel)).toBe("scenario:refund");
    }

    // The policy decision, under its gate node, with ids and reasons.
    const policy = spans.find((span) => span.name === "governor.policy");
    expect(policy && attr(policy, A.decision)).toBe("require-approval");
    expect(policy && attr(policy, A.policyIds)).toEqual(["refund-over-limit-needs-approval"]);
    expect(policy && ids.get(parentOf(policy) ?? "")?.name).toBe("refund_gate");

    // The approval with its approver; the tool call with the execution record under it.
    const approved = spans.find(
      (span) => span.name === "governor.approval" && attr(span, A.decision) === "approved",
    );
    expect(approved && attr(approved, A.approver)).toBe("supervisor:sam");
    const tool = spans.find((span) => attr(span, A.genAiOperation) === "execute_tool");
    expect(tool?.name).toBe("execute_tool issue_refund");
    expect(tool && attr(tool, A.executionOutcome)).toBe("executed");
    expect(tool && ids.get(parentOf(tool) ?? "")?.name).toBe("issue_refund");
    const execution = spans.find((span) => span.name === "governor.execution");
    expect(execution && parentOf(execution)).toBe(tool?.spanContext().spanId);

    // One decision span per record a node wrote, even for the records a resumed node appended again.
    const decisionSeqs = spans.map((span) => attr(span, A.auditSeq)).filter((seq) => seq !== undefined);
    // (A model call's record is its generation span; the runtime's run records are the segments.)
    const nodeRecords = runtime.store.audit
      .list(waiting.threadId)
      .filter((record) => record.kind !== "run" && record.kind !== "model");
    expect(decisionSeqs.sort()).toEqual(nodeRecords.map((record) => record.seq).sort());

    // No span carries the e-mail or the card number, in any attribute.
    const everything = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events]));
    // The refund desk masks the prompt before the model sees it; the span shows that prompt.
    expect(everything).toMatch(/EMAIL_[0-9a-f]+/);
    expect(everything).not.toContain(EMAIL);
    expect(everything).not.toContain(CARD);
    expect(everything).not.toContain(CARD.replaceAll(" ", ""));
  });

  it("leave a replay out of the original run's trace (it runs under the same thread id)", async () => {
    const sample = createRefundSample({ ledger: new PaymentsLedger() });
    const model = new ScenarioChatModel(refundSample.scenario);
    const small = {
      customerId: "C-100",
      orderId: "A-1001",
      request: "My lamp arrived cracked. Please refund $120.",
    };
    const outcome = await runtime.start(sample.workflow, small, { model });
    expect(outcome.status).toBe("completed");
    const before = exporter.getFinishedSpans().length;
    expect(before).toBeGreaterThan(0);

    const report = await replayRun(runtime, sample.workflow, outcome.threadId);
    expect(report.verdict).toBe("same");
    expect(exporter.getFinishedSpans()).toHaveLength(before);

    // …and the thread is traced again afterwards.
    await runtime.start(sample.workflow, small, { model });
    expect(exporter.getFinishedSpans().length).toBeGreaterThan(before);
  });

  it("make no recording spans when no SDK is registered (the API's no-op)", async () => {
    trace.disable();
    try {
      const sample = createRefundSample({ ledger: new PaymentsLedger() });
      const model = new ScenarioChatModel(refundSample.scenario);
      const outcome = await runtime.start(
        sample.workflow,
        { customerId: "C-100", orderId: "A-1001", request: "My lamp arrived cracked. Please refund $120." },
        { model },
      );
      expect(outcome.status).toBe("completed");
      expect(exporter.getFinishedSpans()).toEqual([]);
    } finally {
      trace.setGlobalTracerProvider(
        new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
      );
    }
  });
});
