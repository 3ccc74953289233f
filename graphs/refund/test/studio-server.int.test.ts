/**
 * The refund graph served the way Studio sees it: `langgraphjs dev` loads `langgraph.json`
 * from the repository root, and the SDK's Client drives it over HTTP on 127.0.0.1 (see
 * support/studio-server.ts; `npx tsc -b` first, `npm test` does).
 */
import { traceIdOf } from "@governor/core";
import { type OtlpReceiver, startOtlpReceiver } from "@governor/observability/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { READY_WITHIN_MS, refundRequest, StudioServer } from "./support/studio-server.js";

/** One test: a few runs and state reads. */
const TIMEOUT = 240_000;

interface ApprovalInterrupt {
  type: string;
  threadId: string;
  node: string;
  requestId: string;
  tool: string;
  args: Record<string, unknown>;
  callHash: string;
  refusal?: { code: string; reason: string; attempt: number };
}

let studio: StudioServer;
/** Stands in for Langfuse: the server exports its runs' spans here. */
let langfuse: OtlpReceiver;

async function approvalInterrupt(threadId: string): Promise<ApprovalInterrupt> {
  const state = await studio.client.threads.getState(threadId);
  const values = state.tasks.flatMap((task) => task.interrupts.map((i) => i.value as ApprovalInterrupt));
  const [value, ...more] = values;
  expect(value).toBeDefined();
  expect(more).toEqual([]);
  return value as ApprovalInterrupt;
}

async function newInterruptedThread(): Promise<{ threadId: string; pending: ApprovalInterrupt }> {
  const threadId = await studio.newThread();
  await studio.client.runs.wait(threadId, "refund", { input: refundRequest });
  return { threadId, pending: await approvalInterrupt(threadId) };
}

beforeAll(async () => {
  langfuse = await startOtlpReceiver();
  // Governor's spans go to the local receiver (compileForServer starts tracing), in batches of a second.
  studio = await StudioServer.start({
    LANGFUSE_PUBLIC_KEY: "pk-lf-studio",
    LANGFUSE_SECRET_KEY: "sk-lf-studio",
    LANGFUSE_BASE_URL: langfuse.url,
    LANGFUSE_FLUSH_INTERVAL: "1",
  });
}, READY_WITHIN_MS + 60_000);

afterAll(async () => {
  await studio?.stop();
  await langfuse?.close();
}, 60_000);

describe("the refund graph on the LangGraph API server", () => {
  it(
    "exports a Studio run's spans into the thread's trace: its nodes and its policy decision",
    async () => {
      const { threadId } = await newInterruptedThread();
      const traceId = traceIdOf(threadId);
      const ofThread = () => langfuse.spans().filter((span) => span.traceId === traceId);
      // Batches leave every second: poll for the gate's decision (generous: a loaded machine).
      await langfuse.waitFor(() => ofThread().some((span) => span.name === "governor.policy"), 60_000);
      const names = ofThread().map((span) => span.name);
      expect(names).toEqual(expect.arrayContaining(["propose", "refund_gate", "governor.policy"]));
      const policy = ofThread().find((span) => span.name === "governor.policy");
      expect(policy?.attributes["governor.decision"]).toBe("require-approval");
      expect(ofThread().find((span) => span.name === "propose")?.attributes["session.id"]).toBe(threadId);
      expect(langfuse.requests[0]?.path).toBe("/api/public/otel/v1/traces");
    },
    TIMEOUT,
  );

  it(
    "registers the refund assistant with the governance nodes in its graph",
    async () => {
      const assistants = await studio.client.assistants.search({ graphId: "refund" });
      const assistant = assistants.find((a) => a.graph_id === "refund");
      if (!assistant) expect.fail(`no refund assistant among ${JSON.stringify(assistants)}`);

      const graph = await studio.client.assistants.getGraph(assistant.assistant_id);
      const nodes = graph.nodes.map((node) => String(node.id));
      expect(nodes).toEqual(
        expect.arrayContaining(["check_refund", "refund_gate", "refund_approval", "issue_refund"]),
      );
    },
    TIMEOUT,
  );

  it(
    "interrupts a $1,200 refund for approval and issues it once approved",
    async () => {
      const { threadId, pending } = await newInterruptedThread();
      expect(pending).toMatchObject({ type: "approval", tool: "issue_refund", args: { amount: 1200 } });
      expect(pending.callHash).toMatch(/^[0-9a-f]{64}$/);
      expect(pending.refusal).toBeUndefined();
      expect((await studio.client.threads.get(threadId)).status).toBe("interrupted");
      expect(studio.executedRefunds(threadId)).toEqual([]);

      await studio.client.runs.wait(threadId, "refund", {
        command: { resume: await studio.signedDecision(pending) },
      });

      const state = await studio.client.threads.getState<{
        refund?: { refundId: string; amount: number };
        reply?: unknown;
      }>(threadId);
      // Once: one execution in the server's journal, and the payments system's first refund.
      expect(studio.executedRefunds(threadId)).toHaveLength(1);
      expect(studio.executedRefunds()).toHaveLength(1);
      expect(state.values.refund).toMatchObject({ refundId: "R-1", amount: 1200 });
      expect(typeof state.values.reply).toBe("string");
      expect(state.tasks.flatMap((task) => task.interrupts)).toEqual([]);
      expect(state.next).toEqual([]);
      expect((await studio.client.threads.get(threadId)).status).toBe("idle");
    },
    TIMEOUT,
  );

  it(
    "refuses an answer for another call and keeps waiting",
    async () => {
      const { threadId, pending } = await newInterruptedThread();

      await studio.client.runs.wait(threadId, "refund", {
        command: { resume: await studio.signedDecision({ ...pending, callHash: "0".repeat(64) }) },
      });

      const again = await approvalInterrupt(threadId);
      expect(again).toMatchObject({ type: "approval", tool: "issue_refund", callHash: pending.callHash });
      expect(again.refusal).toEqual({
        code: "APPROVAL_INVALID",
        reason: expect.stringMatching(/not the pending call/),
        attempt: 0,
      });

      const state = await studio.client.threads.getState<{ refund?: unknown }>(threadId);
      expect(state.values.refund).toBeUndefined();
      expect(studio.executedRefunds(threadId)).toEqual([]);
      // LangGraph alone would answer [] here (a task with a pending resume write leaves `next`):
      // the served graph keeps the interrupted approval node in it.
      expect(state.next).toEqual(["refund_approval"]);
      expect(state.tasks.map((task) => task.name)).toEqual(["refund_approval"]);
      expect((await studio.client.threads.get(threadId)).status).toBe("interrupted");
    },
    TIMEOUT,
  );
});
