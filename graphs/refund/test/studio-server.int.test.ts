/**
 * The refund graph served the way Studio sees it: `langgraphjs dev` loads `langgraph.json`
 * from the repository root, and the SDK's Client drives it over HTTP on 127.0.0.1.
 *
 * The server loads `graphs/refund/src/studio.ts`, which imports the workspace packages from
 * their built `dist/`: run `npx tsc -b` first (`npm test` does).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { traceIdOf } from "@governor/core";
import { type ApprovalBinding, hs256Keys, signApprovalDecision } from "@governor/identity";
import { type OtlpReceiver, startOtlpReceiver } from "@governor/observability/testing";
import { Client } from "@langchain/langgraph-sdk";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(ROOT, "node_modules", ".bin", "langgraphjs");
// Generous on purpose: on a loaded two-core machine the server takes a minute or more to start
// (tsx compiles the graph, Cedar loads its wasm) and a run tens of seconds. Readiness is polled.
const READY_WITHIN_MS = 180_000;
/** One HTTP call to the server, e.g. `runs.wait` for a whole run. */
const REQUEST_TIMEOUT = 150_000;
/** One test: a few runs and state reads. */
const TIMEOUT = 240_000;

const request = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};

interface ApprovalInterrupt {
  type: string;
  threadId: string;
  node: string;
  requestId: string;
  tool: string;
  args: Record<string, unknown>;
  callHash: string;
  refusedAnswer?: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("no port"));
      server.close(() => resolve(address.port));
    });
  });
}

/** The pause between two polls of something we wait for; never a wait for something to happen. */
const pollInterval = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let server: ChildProcess | undefined;
/** Stands in for Langfuse: the server exports its runs' spans here. */
let langfuse: OtlpReceiver;
let output = "";
let governorDir: string | undefined;

/**
 * A supervisor's decision signed with the development key the server created in its
 * GOVERNOR_DIR, as `governor approve` would sign it: the server refuses unsigned answers.
 */
async function signedDecision(request: ApprovalBinding) {
  const secret = Buffer.from(
    readFileSync(join(governorDir ?? "", "keys", "approval.key"), "utf8").trim(),
    "base64",
  );
  return {
    token: await signApprovalDecision(hs256Keys(secret), {
      approver: "supervisor:sam",
      decision: "approve",
      request,
    }),
  };
}
let client: Client;
const threads: string[] = [];

function serverEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Offline: the scenario model, no tracing, no CLI analytics (it otherwise posts to a remote endpoint).
  for (const key of [
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "LANGSMITH_TRACING_V2",
    "LANGCHAIN_TRACING_V2",
    "LANGCHAIN_TRACING",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_API_KEY",
    "LANGSMITH_ENDPOINT",
    "LANGCHAIN_ENDPOINT",
  ]) {
    delete env[key];
  }
  return {
    ...env,
    GOVERNOR_DIR: dir,
    // Governor's spans go to the local receiver (compileForServer starts tracing), in batches of a second.
    LANGFUSE_PUBLIC_KEY: "pk-lf-studio",
    LANGFUSE_SECRET_KEY: "sk-lf-studio",
    LANGFUSE_BASE_URL: langfuse.url,
    LANGFUSE_FLUSH_INTERVAL: "1",
    MEM0_TELEMETRY: "false",
    LANGSMITH_TRACING: "false",
    LANGGRAPH_CLI_NO_ANALYTICS: "1",
    BROWSER: "none",
    // `langgraphjs dev` always runs the server under `tsx watch`, which restarts it (dropping runs
    // in flight) whenever an imported file changes, e.g. a workspace `dist/` rebuilt by `tsc -b`
    // meanwhile. It has no switch for that; its chokidar honours these, so it never polls again.
    CHOKIDAR_USEPOLLING: "1",
    CHOKIDAR_INTERVAL: "2000000000",
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in the server's log
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

async function waitUntilReady(apiUrl: string): Promise<void> {
  const deadline = Date.now() + READY_WITHIN_MS;
  while (Date.now() < deadline) {
    if (server?.exitCode !== null || server?.signalCode !== null) {
      throw new Error(
        `langgraphjs dev exited (${server?.exitCode ?? server?.signalCode}):\n${plain(output)}`,
      );
    }
    // A graph that fails to load kills the server but not the watcher around it: /ok would never answer.
    if (/^error:/m.test(plain(output))) throw new Error(`langgraphjs dev failed to start:\n${plain(output)}`);
    try {
      const res = await fetch(`${apiUrl}/ok`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await pollInterval(500);
  }
  throw new Error(`langgraphjs dev was not ready within ${READY_WITHIN_MS} ms:\n${plain(output)}`);
}

/** True while any process of the server's group (the CLI, the tsx watcher, the server) is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopServer(): Promise<void> {
  const pid = server?.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  // SIGTERM to the CLI alone, not the group: the CLI passes one SIGTERM to `tsx watch`, which
  // passes it to the server, which then flushes its state to .langgraph_api/ and exits. A second
  // SIGTERM (as a group kill delivers) makes tsx SIGKILL the server mid-write, truncating those files.
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    process.kill(-pid, "SIGTERM"); // the CLI is gone but its children are not
  }
  const deadline = Date.now() + 15_000;
  while (groupAlive(pid) && Date.now() < deadline) await pollInterval(100);
  if (groupAlive(pid)) process.kill(-pid, "SIGKILL");
}

/**
 * The refunds the server's payments system made, as its audit journal records them: one
 * `executed` record per handler run that returned. Read from the SQLite file the server
 * writes (GOVERNOR_DIR), so the count does not depend on what the graph's state says.
 */
function executedRefunds(threadId?: string): { threadId: string; data: string }[] {
  const db = new Database(join(governorDir ?? "", "governor.db"), { readonly: true });
  try {
    return db
      .prepare<[], { threadId: string; data: string }>(
        "SELECT thread_id AS threadId, data FROM audit_records WHERE kind = 'execution' AND tool = 'issue_refund' AND outcome = 'executed' ORDER BY seq",
      )
      .all()
      .filter((row) => threadId === undefined || row.threadId === threadId);
  } finally {
    db.close();
  }
}

async function approvalInterrupt(threadId: string): Promise<ApprovalInterrupt> {
  const state = await client.threads.getState(threadId);
  const values = state.tasks.flatMap((task) => task.interrupts.map((i) => i.value as ApprovalInterrupt));
  const [value, ...more] = values;
  expect(value).toBeDefined();
  expect(more).toEqual([]);
  return value as ApprovalInterrupt;
}

async function newInterruptedThread(): Promise<{ threadId: string; pending: ApprovalInterrupt }> {
  const thread = await client.threads.create();
  threads.push(thread.thread_id);
  await client.runs.wait(thread.thread_id, "refund", { input: request });
  return { threadId: thread.thread_id, pending: await approvalInterrupt(thread.thread_id) };
}

beforeAll(async () => {
  const port = await freePort();
  langfuse = await startOtlpReceiver();
  const apiUrl = `http://127.0.0.1:${port}`;
  governorDir = mkdtempSync(join(tmpdir(), "governor-studio-"));
  server = spawn(CLI, ["dev", "--no-browser", "--host", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: serverEnv(governorDir),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  server.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  server.on("error", (error) => {
    output += `\nspawn ${CLI}: ${error.message}\n`;
  });
  await waitUntilReady(apiUrl);
  // apiKey: null, so no LANGSMITH_API_KEY from the environment is sent along, even to localhost.
  client = new Client({ apiUrl, apiKey: null, timeoutMs: REQUEST_TIMEOUT });
}, READY_WITHIN_MS + 60_000);

afterAll(async () => {
  // The dev server persists threads under .langgraph_api/ in the repository: leave none behind.
  if (client) await Promise.allSettled(threads.map((id) => client.threads.delete(id)));
  await stopServer();
  if (governorDir) rmSync(governorDir, { recursive: true, force: true });
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
      const assistants = await client.assistants.search({ graphId: "refund" });
      const assistant = assistants.find((a) => a.graph_id === "refund");
      if (!assistant) expect.fail(`no refund assistant among ${JSON.stringify(assistants)}`);

      const graph = await client.assistants.getGraph(assistant.assistant_id);
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
      expect(pending.refusedAnswer).toBeUndefined();
      expect((await client.threads.get(threadId)).status).toBe("interrupted");
      expect(executedRefunds(threadId)).toEqual([]);

      await client.runs.wait(threadId, "refund", {
        command: { resume: await signedDecision(pending) },
      });

      const state = await client.threads.getState<{
        refund?: { refundId: string; amount: number };
        reply?: unknown;
      }>(threadId);
      // Once: one execution in the server's journal, and the payments system's first refund.
      expect(executedRefunds(threadId)).toHaveLength(1);
      expect(executedRefunds()).toHaveLength(1);
      expect(state.values.refund).toMatchObject({ refundId: "R-1", amount: 1200 });
      expect(typeof state.values.reply).toBe("string");
      expect(state.tasks.flatMap((task) => task.interrupts)).toEqual([]);
      expect(state.next).toEqual([]);
      expect((await client.threads.get(threadId)).status).toBe("idle");
    },
    TIMEOUT,
  );

  it(
    "refuses an answer for another call and keeps waiting",
    async () => {
      const { threadId, pending } = await newInterruptedThread();

      await client.runs.wait(threadId, "refund", {
        command: { resume: await signedDecision({ ...pending, callHash: "0".repeat(64) }) },
      });

      const again = await approvalInterrupt(threadId);
      expect(again).toMatchObject({ type: "approval", tool: "issue_refund", callHash: pending.callHash });
      expect(again.refusedAnswer).toEqual(expect.any(String));
      expect(again.refusedAnswer).toMatch(/not the pending call/);

      const state = await client.threads.getState<{ refund?: unknown }>(threadId);
      expect(state.values.refund).toBeUndefined();
      expect(executedRefunds(threadId)).toEqual([]);
      // Not `state.next`: LangGraph leaves a task that has a pending resume write out of `next`,
      // so after a refused answer `next` is [] although refund_approval is still interrupted.
      expect(state.tasks.map((task) => task.name)).toEqual(["refund_approval"]);
      expect((await client.threads.get(threadId)).status).toBe("interrupted");
    },
    TIMEOUT,
  );
});
