/**
 * One store, every surface: a run started through LangGraph's API server (Studio) is a
 * Governor run. The real `governor` CLI, pointed at the server's store (--dir), lists it,
 * answers its approval and audits it; the server's thread then shows what the CLI did.
 *
 * The CLI runs its BUILT dist and the server the built workspace packages: `npx tsc -b` first
 * (`npm test` does).
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { offlineEnv, READY_WITHIN_MS, ROOT, refundRequest, StudioServer } from "./support/studio-server.js";

const GOVERNOR = join(ROOT, "apps", "cli", "bin", "governor.js");
/** One test: a run on the server and a few CLI commands, each a Node process that loads every sample. */
const TIMEOUT = 300_000;

interface ApprovalInterrupt {
  type: string;
  threadId: string;
  node: string;
  requestId: string;
  tool: string;
  args: Record<string, unknown>;
  callHash: string;
  refusal?: { code: string; reason: string; attempt: number };
  refusedAnswer?: string;
}

let studio: StudioServer;

beforeAll(async () => {
  studio = await StudioServer.start();
}, READY_WITHIN_MS + 60_000);

afterAll(async () => {
  await studio?.stop();
}, 60_000);

/** The real CLI binary on the server's store; resolves with its exit code and output, never rejects. */
function governor(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [GOVERNOR, ...args, "--dir", studio.governorDir],
      { cwd: ROOT, env: offlineEnv(studio.governorDir), timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function governorJson<T>(...args: string[]): Promise<T> {
  const result = await governor(...args, "--json");
  expect(result.stderr, result.stdout).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as T;
}

type RunListing = { threadId: string; workflow: string; status: string; principal?: unknown };

async function listedRun(threadId: string): Promise<RunListing | undefined> {
  const { runs } = await governorJson<{ runs: RunListing[] }>("runs", "--limit", "100");
  return runs.find((run) => run.threadId === threadId);
}

async function approvalInterrupt(threadId: string): Promise<ApprovalInterrupt> {
  const state = await studio.client.threads.getState(threadId);
  const values = state.tasks.flatMap((task) => task.interrupts.map((i) => i.value as ApprovalInterrupt));
  const [value, ...more] = values;
  expect(more).toEqual([]);
  if (!value) expect.fail(`thread ${threadId} has no pending interrupt: ${JSON.stringify(state)}`);
  return value;
}

/** A Studio run of the $1,200 refund, stopped at its approval. */
async function interruptedRefund(): Promise<{ threadId: string; pending: ApprovalInterrupt }> {
  const threadId = await studio.newThread();
  await studio.client.runs.wait(threadId, "refund", { input: refundRequest });
  return { threadId, pending: await approvalInterrupt(threadId) };
}

/** What the server answered for a run it refused: the error it reports, as text. */
async function refusedRun(run: () => Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify(await run());
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe("a Studio run in Governor's store", () => {
  it(
    "is listed by governor runs and pending, approved by governor approve, and completed on the server's thread, once",
    async () => {
      const { threadId, pending } = await interruptedRefund();
      expect(pending).toMatchObject({ type: "approval", tool: "issue_refund", args: { amount: 1200 } });

      expect(await listedRun(threadId)).toMatchObject({ workflow: "refund", status: "waiting" });
      const waiting = await governorJson<{ threadId: string; request: { callHash: string } }[]>("pending");
      expect(
        waiting.filter((entry) => entry.threadId === threadId).map((entry) => entry.request.callHash),
      ).toEqual([pending.callHash]);

      const approved = await governor(
        "approve",
        threadId,
        "--approver",
        "supervisor:sam",
        "--reason",
        "customer verified",
      );
      expect(approved.code, `${approved.stdout}\n${approved.stderr}`).toBe(0);

      // The server reads the thread from the same checkpoints: the CLI's approval finished it.
      const state = await studio.client.threads.getState<{ refund?: { amount: number } }>(threadId);
      expect(state.values.refund).toMatchObject({ amount: 1200 });
      expect(state.next).toEqual([]);
      expect(state.tasks.flatMap((task) => task.interrupts)).toEqual([]);
      expect(studio.executedRefunds(threadId)).toHaveLength(1);
      // Its history too: the CLI's steps after the approval are the newest checkpoints.
      const [newest, ...older] = await studio.client.threads.getHistory(threadId, { limit: 50 });
      expect(newest?.next).toEqual([]);
      expect(older.some((snapshot) => snapshot.next.includes("refund_approval"))).toBe(true);
      expect(await listedRun(threadId)).toMatchObject({ workflow: "refund", status: "completed" });
      const none = await governorJson<{ threadId: string }[]>("pending");
      expect(none.filter((entry) => entry.threadId === threadId)).toEqual([]);

      const audit = await governor("audit", "show", threadId, "--json");
      expect(audit.code, audit.stderr).toBe(0);
      expect(audit.stdout).toContain("supervisor:sam");
      expect(audit.stdout).toContain("api-server");
    },
    TIMEOUT,
  );

  it(
    "still resumes through Studio, and the CLI sees the run complete",
    async () => {
      const { threadId, pending } = await interruptedRefund();
      await studio.client.runs.wait(threadId, "refund", {
        command: { resume: await studio.signedDecision(pending) },
      });
      const state = await studio.client.threads.getState<{ refund?: { amount: number } }>(threadId);
      expect(state.values.refund).toMatchObject({ amount: 1200 });
      expect(studio.executedRefunds(threadId)).toHaveLength(1);
      expect(await listedRun(threadId)).toMatchObject({ status: "completed" });
    },
    TIMEOUT,
  );

  it(
    "keeps next at the approval node after a forged resume, with the documented refusal and an error event",
    async () => {
      const { threadId, pending } = await interruptedRefund();
      const events: { event: string; data: unknown }[] = [];
      for await (const chunk of studio.client.runs.stream(threadId, "refund", {
        command: { resume: await studio.signedDecision({ ...pending, callHash: "0".repeat(64) }) },
        streamMode: ["custom"],
      })) {
        events.push(chunk);
      }
      const refusedEvents = events
        .filter((chunk) => chunk.event === "custom")
        .map((chunk) => chunk.data as { type?: string; code?: string; reason?: string; node?: string });
      expect(refusedEvents.filter((event) => event.type === "approval-refused")).toEqual([
        expect.objectContaining({
          code: "APPROVAL_INVALID",
          node: "refund_approval",
          reason: expect.stringMatching(/not the pending call/),
        }),
      ]);

      const again = await approvalInterrupt(threadId);
      expect(again).toMatchObject({ callHash: pending.callHash, requestId: pending.requestId });
      expect(again.refusal).toEqual({
        code: "APPROVAL_INVALID",
        reason: expect.stringMatching(/not the pending call/),
        attempt: 0,
      });
      const state = await studio.client.threads.getState(threadId);
      expect(state.next).toEqual(["refund_approval"]);
      expect(studio.executedRefunds(threadId)).toEqual([]);
      // Still waiting for the CLI too, with the refusal on the request it lists.
      expect(await listedRun(threadId)).toMatchObject({ status: "waiting" });

      // A second forged answer: the refusal names the second attempt.
      await studio.client.runs.wait(threadId, "refund", {
        command: { resume: { token: "not-a-signed-decision-at-all" } },
      });
      expect((await approvalInterrupt(threadId)).refusal).toMatchObject({
        code: "APPROVAL_INVALID",
        attempt: 1,
      });
      expect((await studio.client.threads.getState(threadId)).next).toEqual(["refund_approval"]);

      const approved = await governor("approve", threadId, "--approver", "supervisor:sam");
      expect(approved.code, `${approved.stdout}\n${approved.stderr}`).toBe(0);
      expect(studio.executedRefunds(threadId)).toHaveLength(1);
      expect((await studio.client.threads.getState(threadId)).next).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "keeps a run paused at a Studio breakpoint running, and waiting once Studio continues it to the approval",
    async () => {
      const threadId = await studio.newThread();
      await studio.client.runs.wait(threadId, "refund", {
        input: refundRequest,
        interruptBefore: ["propose"],
      });
      expect((await studio.client.threads.getState(threadId)).next).toEqual(["propose"]);
      expect(await listedRun(threadId)).toMatchObject({ workflow: "refund", status: "running" });

      await studio.client.runs.wait(threadId, "refund", { input: null });
      expect(await approvalInterrupt(threadId)).toMatchObject({ tool: "issue_refund" });
      expect(await listedRun(threadId)).toMatchObject({ status: "waiting" });
    },
    TIMEOUT,
  );

  it(
    "records no run for input, a principal or a thread the graph refuses",
    async () => {
      // Input that does not match the state: refused before anything is recorded.
      const badInput = await studio.newThread();
      const inputError = await refusedRun(() =>
        studio.client.runs.wait(badInput, "refund", { input: { orderId: 5, request: ["not", "text"] } }),
      );
      // The server reports an error's name and message (not its code).
      expect(inputError).toMatch(/Input for workflow \\?"refund\\?" is invalid: .*orderId/);

      // A caller's principal: malformed, or claiming more than the workflow's agent holds.
      const principals = [
        {
          principal: { id: "agent:root", agentId: "root", scopes: ["*"] },
          refusal: /principal is malformed/,
        },
        {
          principal: {
            id: "agent:support",
            kind: "agent",
            agentId: "support",
            scopes: ["refunds:write", "admin:*"],
          },
          refusal: /beyond workflow/,
        },
        {
          principal: { id: "agent:other", kind: "agent", agentId: "other", scopes: [] },
          refusal: /claims agent \\?"other\\?"/,
        },
      ];
      const forged: string[] = [];
      for (const { principal, refusal } of principals) {
        const threadId = await studio.newThread();
        forged.push(threadId);
        const error = await refusedRun(() =>
          studio.client.runs.wait(threadId, "refund", {
            input: refundRequest,
            config: { configurable: { principal } },
          }),
        );
        expect(error).toMatch(refusal);
      }

      for (const threadId of [badInput, ...forged]) expect(await listedRun(threadId)).toBeUndefined();

      // A refund thread driven by another workflow's graph: refused, the run stays the refund's.
      const { threadId } = await interruptedRefund();
      const otherError = await refusedRun(() => studio.client.runs.wait(threadId, "claims", { input: {} }));
      expect(otherError).toMatch(/belongs to workflow \\?"refund\\?", not \\?"claims\\?"/);
      expect(await listedRun(threadId)).toMatchObject({ workflow: "refund", status: "waiting" });
    },
    TIMEOUT,
  );

  it(
    "publishes the refund state's JSON Schema for Studio's input form",
    async () => {
      const [assistant] = await studio.client.assistants.search({ graphId: "refund" });
      if (!assistant) expect.fail("no refund assistant");
      const schemas = await studio.client.assistants.getSchemas(assistant.assistant_id);
      const input = schemas.input_schema as { type?: string; properties?: Record<string, unknown> };
      expect(input.type).toBe("object");
      expect(Object.keys(input.properties ?? {})).toEqual(
        expect.arrayContaining(["customerId", "orderId", "request"]),
      );
      expect(Object.keys((schemas.state_schema as { properties?: object }).properties ?? {})).toEqual(
        expect.arrayContaining(["customerId", "orderId", "request"]),
      );
      expect(input.properties).not.toHaveProperty("governor");
    },
    TIMEOUT,
  );
});
