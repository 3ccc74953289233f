/**
 * LangGraph's API server (`langgraphjs dev`) as Studio talks to it, started for a test on a
 * free port of 127.0.0.1 over a Governor store of its own (GOVERNOR_DIR), offline.
 *
 * The server loads `langgraph.json` from the repository root, whose graphs import the
 * workspace packages from their built `dist/`: run `npx tsc -b` first (`npm test` does).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ApprovalBinding, hs256Keys, signApprovalDecision } from "@governor/identity";
import { Client } from "@langchain/langgraph-sdk";
import Database from "better-sqlite3";

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const CLI = join(ROOT, "node_modules", ".bin", "langgraphjs");
// Generous on purpose: on a loaded two-core machine the server takes a minute or more to start
// (tsx compiles the graph, Cedar loads its wasm) and a run tens of seconds. Readiness is polled.
export const READY_WITHIN_MS = 180_000;
/** One HTTP call to the server, e.g. `runs.wait` for a whole run. */
export const REQUEST_TIMEOUT = 150_000;

export const refundRequest = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};

export function freePort(): Promise<number> {
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
export const pollInterval = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The environment of an offline run: the scenario model, no LangSmith, no CLI analytics. */
export function offlineEnv(dir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "REDIS_URL",
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
    MEM0_TELEMETRY: "false",
    LANGSMITH_TRACING: "false",
    LANGGRAPH_CLI_NO_ANALYTICS: "1",
    BROWSER: "none",
    // `langgraphjs dev` always runs the server under `tsx watch`, which restarts it (dropping runs
    // in flight) whenever an imported file changes, e.g. a workspace `dist/` rebuilt by `tsc -b`
    // meanwhile. It has no switch for that; its chokidar honours these, so it never polls again.
    CHOKIDAR_USEPOLLING: "1",
    CHOKIDAR_INTERVAL: "2000000000",
    ...extra,
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes in the server's log
export const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

/** True while any process of the server's group (the CLI, the tsx watcher, the server) is alive. */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A running `langgraphjs dev`, its SDK client and the Governor store it serves. */
export class StudioServer {
  readonly threads: string[] = [];
  output = "";
  client!: Client;

  private constructor(
    readonly governorDir: string,
    readonly apiUrl: string,
    private readonly server: ChildProcess,
  ) {}

  /** Starts the server and waits (polling `/ok`) until it answers. `env` adds to the offline environment. */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<StudioServer> {
    const port = await freePort();
    const governorDir = mkdtempSync(join(tmpdir(), "governor-studio-"));
    const server = spawn(CLI, ["dev", "--no-browser", "--host", "127.0.0.1", "--port", String(port)], {
      cwd: ROOT,
      env: offlineEnv(governorDir, env),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const studio = new StudioServer(governorDir, `http://127.0.0.1:${port}`, server);
    server.stdout?.on("data", (chunk) => {
      studio.output += chunk;
    });
    server.stderr?.on("data", (chunk) => {
      studio.output += chunk;
    });
    server.on("error", (error) => {
      studio.output += `\nspawn ${CLI}: ${error.message}\n`;
    });
    await studio.waitUntilReady();
    // apiKey: null, so no LANGSMITH_API_KEY from the environment is sent along, even to localhost.
    studio.client = new Client({ apiUrl: studio.apiUrl, apiKey: null, timeoutMs: REQUEST_TIMEOUT });
    return studio;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_WITHIN_MS;
    while (Date.now() < deadline) {
      if (this.server.exitCode !== null || this.server.signalCode !== null) {
        throw new Error(
          `langgraphjs dev exited (${this.server.exitCode ?? this.server.signalCode}):\n${plain(this.output)}`,
        );
      }
      // A graph that fails to load kills the server but not the watcher around it: /ok would never answer.
      if (/^error:/m.test(plain(this.output)))
        throw new Error(`langgraphjs dev failed to start:\n${plain(this.output)}`);
      try {
        const res = await fetch(`${this.apiUrl}/ok`, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await pollInterval(500);
    }
    throw new Error(`langgraphjs dev was not ready within ${READY_WITHIN_MS} ms:\n${plain(this.output)}`);
  }

  /** A new thread, remembered so `stop` deletes it (the dev server persists threads under .langgraph_api/). */
  async newThread(): Promise<string> {
    const thread = await this.client.threads.create();
    this.threads.push(thread.thread_id);
    return thread.thread_id;
  }

  /**
   * A supervisor's decision signed with the development key the server created in its
   * GOVERNOR_DIR, as `governor approve` would sign it: the server refuses unsigned answers.
   */
  async signedDecision(request: ApprovalBinding, approver = "supervisor:sam") {
    const secret = Buffer.from(
      readFileSync(join(this.governorDir, "keys", "approval.key"), "utf8").trim(),
      "base64",
    );
    return {
      token: await signApprovalDecision(hs256Keys(secret), { approver, decision: "approve", request }),
    };
  }

  /**
   * The refunds the payments system made, as the store's audit journal records them: one
   * `executed` record per handler run that returned. Read from the SQLite file itself, so the
   * count does not depend on what the graph's state says.
   */
  executedRefunds(threadId?: string): { threadId: string; data: string }[] {
    const db = new Database(join(this.governorDir, "governor.db"), { readonly: true });
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

  /** Deletes the test's threads, stops the server and removes its store. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.threads.map((id) => this.client?.threads.delete(id)));
    const pid = this.server.pid;
    if (pid !== undefined && groupAlive(pid)) {
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
    rmSync(this.governorDir, { recursive: true, force: true });
  }
}
