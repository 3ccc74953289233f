import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorRuntime } from "@governor/core";
import { afterEach, describe, expect, it } from "vitest";
import { agentDesk, deskModel, pinnedDeskPolicy, signFor } from "./support/agent-desk.js";
import { auditOf, executions, governorOf, toolReplies } from "./support/harness.js";

/**
 * Crash safety of an agent loop's tools node: a real worker process (support/agent-desk-child.ts)
 * runs a turn with a read and a $50 credit and is SIGKILLed part-way through the credit; the
 * credit is written to a ledger file, outside any process. Another runtime then recovers the
 * run from its last checkpoint. The credit happened once, whatever the moment of death.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const child = fileURLToPath(new URL("./support/agent-desk-child.ts", import.meta.url));
const source = (entry: string) => path.join(root, entry);
/** The child loads every Governor package from source, as the tests do, never a stale dist/. */
const paths = {
  "@governor/core": [source("packages/core/src/index.ts")],
  "@governor/errors": [source("packages/errors/src/index.ts")],
  "@governor/identity": [source("packages/identity/src/index.ts")],
  "@governor/policy": [source("packages/policy/src/index.ts")],
  "@governor/observability": [source("packages/observability/src/index.ts")],
  "@governor/models/testing": [source("packages/models/src/testing.ts")],
  "@governor/models": [source("packages/models/src/index.ts")],
};

const dirs: string[] = [];
const runtimes: GovernorRuntime[] = [];
afterEach(() => {
  for (const runtime of runtimes.splice(0)) runtime.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the desk in a child process that kills itself at `mode`; returns the store and the ledger's credits. */
function crashAt(mode: "in-handler" | "after-commit" | "after-approval") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-agent-crash-"));
  dirs.push(dir);
  const tsconfig = path.join(dir, "tsconfig.child.json");
  fs.writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { module: "NodeNext", paths } }));
  const ledger = path.join(dir, "ledger.jsonl");
  const threadId = `crash-${mode}`;
  const result = spawnSync(process.execPath, ["--import", "tsx", child, dir, threadId, mode, ledger], {
    cwd: root,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
  });
  expect(result.signal, `${result.stdout}\n${result.stderr}`).toBe("SIGKILL");
  const credits = () =>
    fs
      .readFileSync(ledger, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { account: string; amount: number });
  return { dir, threadId, credits };
}

function recovering(dir: string) {
  const runtime = new GovernorRuntime({ dir });
  runtimes.push(runtime);
  // The same desk in the recovering process; its handlers write to its own in-memory ledger.
  const desk = agentDesk({ policy: pinnedDeskPolicy() });
  // The model answers with no call: whatever the turn proposed is already in the checkpoint.
  const model = deskModel([]);
  return { runtime, desk, model };
}

describe("agent loop: crash safety", () => {
  it("CR-1 killed after the credit committed and before the checkpoint: recovery reads it back, the credit happened once", async () => {
    const crashed = crashAt("after-commit");
    expect(crashed.credits()).toEqual([{ account: "A-1", amount: 50 }]);
    const { runtime, desk, model } = recovering(crashed.dir);
    expect((await runtime.getRun(crashed.threadId)).status).toBe("running");

    const outcome = await runtime.recover(desk.workflow, crashed.threadId, { model: model.model });

    expect(crashed.credits()).toHaveLength(1);
    expect(desk.effects.credits).toEqual([]);
    expect(executions(runtime, crashed.threadId).filter((entry) => entry.startsWith("post_credit"))).toEqual([
      "post_credit:executed",
    ]);
    expect(governorOf(outcome.state).outcomes).toContainEqual(
      expect.objectContaining({ tool: "post_credit", ok: true, replayed: true }),
    );
    expect(auditOf(runtime, crashed.threadId, "run", "recovered")).toHaveLength(1);
    expect(outcome.status).toBe("completed");
    expect(model.calls).toHaveLength(1);
  }, 180_000);

  it("CR-2 killed inside the credit's handler, after its effect: recovery does not run it again (outcome unknown), the model is told", async () => {
    const crashed = crashAt("in-handler");
    expect(crashed.credits()).toEqual([{ account: "A-1", amount: 50 }]);
    const { runtime, desk, model } = recovering(crashed.dir);

    const outcome = await runtime.recover(desk.workflow, crashed.threadId, { model: model.model });

    expect(crashed.credits()).toHaveLength(1);
    expect(desk.effects.credits).toEqual([]);
    expect(executions(runtime, crashed.threadId)).toContain("post_credit:outcome-unknown");
    expect(executions(runtime, crashed.threadId)).not.toContain("post_credit:executed");
    expect(toolReplies(outcome.state).some((reply) => reply.includes("reconcile"))).toBe(true);
    expect(outcome.status).toBe("completed");
  }, 180_000);

  // HOLE (reported to the lead; a regression of 6c12528, run leases): a worker killed while it
  // drives a resume keeps the run's lease (10 minutes), so recover() right after the crash
  // waits two minutes and fails with RUN_BUSY ("being driven by another process"), though no
  // process drives it. A crash during start() takes no lease, which is why CR-1/CR-2 recover.
  // Expected (once fixed): recovery after a crash is not held up by the dead worker's lease
  // (e.g. a lease whose owner process is gone is taken over), and the assertions below hold.
  it("CR-3 killed after an approved credit committed while its sibling still waits: recovery reads it back, the sibling still waits, then runs once when approved", async () => {
    const crashed = crashAt("after-approval");
    expect(crashed.credits()).toEqual([{ account: "A-2", amount: 300 }]);
    const { runtime, desk, model } = recovering(crashed.dir);

    const recovered = await runtime.recover(desk.workflow, crashed.threadId, { model: model.model });

    expect(recovered.status).toBe("waiting");
    const [b, ...others] = recovered.approvals ?? [];
    expect(others).toEqual([]);
    expect(b?.args).toEqual({ account: "A-3", amount: 400 });
    expect(crashed.credits()).toHaveLength(1);
    expect(desk.effects.credits).toEqual([]);
    if (!b) throw new Error("the $400 credit should still wait");

    const done = await runtime.resume(
      desk.workflow,
      crashed.threadId,
      { token: await signFor(runtime.store.tokenKeys, b) },
      { model: model.model },
    );

    expect(done.status).toBe("completed");
    expect(crashed.credits()).toEqual([{ account: "A-2", amount: 300 }]);
    expect(desk.effects.credits).toEqual([{ account: "A-3", amount: 400 }]);
    expect(
      executions(runtime, crashed.threadId).filter((entry) => entry === "post_credit:executed"),
    ).toHaveLength(2);
  }, 180_000);
});
