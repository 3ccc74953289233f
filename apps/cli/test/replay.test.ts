import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorRuntime, type Workflow } from "@governor/core";
import { ScenarioChatModel } from "@governor/models/testing";
import { CedarPolicyEngine } from "@governor/policy";
import { createRefundWorkflow, refundScenario } from "@governor/sample-refund";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { governorInProcess } from "./support/in-process.js";

// `governor replay THREAD` and `governor replay --policies DIR`, in this process, over runs
// of the refund sample started the way `governor run refund` starts them (source sample:refund).
const REFUND_POLICIES = fileURLToPath(new URL("../../../graphs/refund/policies/", import.meta.url));
const SMALL = {
  customerId: "C-100",
  orderId: "A-1001",
  request: "My lamp arrived cracked. Please refund $120.",
};
const LARGE = {
  customerId: "C-100",
  orderId: "A-1002",
  request: "The laptop never arrived. I want $1,200 back now.",
};

async function governor(...args: string[]) {
  const { code, out, err } = await governorInProcess(...args, "--dir", dir);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let dir: string;
const temps: string[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-replay-cli-"));
  temps.push(dir);
});
afterEach(() => {
  for (const temp of temps.splice(0)) rmSync(temp, { recursive: true, force: true });
});

/** Starts a run of the refund sample (or of `workflow`, recorded as the sample) and returns its thread. */
async function started(input: object, workflow: Workflow = createRefundWorkflow()): Promise<string> {
  const runtime = new GovernorRuntime({ dir });
  try {
    const outcome = await runtime.start(workflow, input, {
      model: new ScenarioChatModel(refundScenario),
      source: "sample:refund",
    });
    return outcome.threadId;
  } finally {
    runtime.close();
  }
}

/** The refund policies with the $500 limit moved to `limit`, in a temp dir. */
function policiesWithLimit(limit: number): string {
  const policies = mkdtempSync(join(tmpdir(), "governor-replay-policies-"));
  temps.push(policies);
  copyFileSync(join(REFUND_POLICIES, "refund.cedarschema"), join(policies, "refund.cedarschema"));
  const text = readFileSync(join(REFUND_POLICIES, "refund.cedar"), "utf8");
  writeFileSync(join(policies, "refund.cedar"), text.replace('decimal("500.0")', `decimal("${limit}.0")`));
  return policies;
}

describe("governor replay", () => {
  it("replays a finished run and says every decision came out the same (exit 0)", async () => {
    const thread = await started(SMALL);

    const result = await governor("replay", thread);

    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^= policy\s+refund_gate\s+issue_refund\s+allow$/m);
    expect(result.out).toContain("✓ same");
    const json = JSON.parse((await governor("replay", thread, "--json")).out);
    expect(json).toMatchObject({ verdict: "same", threadId: thread, unexecuted: [] });
  });

  it("replays a run whose steps wrote memory: the fact extraction's answer is recorded, so no model is called", async () => {
    const run = await governor("run", "carrier-routing", "--no-interactive");
    expect(run.code).toBe(0);
    const runs = JSON.parse((await governor("runs", "--json", "--status", "completed")).out);
    const threads: string[] = (runs.runs ?? runs).map((entry: { threadId: string }) => entry.threadId);
    expect(threads.length).toBeGreaterThan(0);
    for (const thread of threads) {
      const replay = await governor("replay", thread);
      expect(replay.err).toBe("");
      expect(replay.out).toContain("every decision came out as recorded");
      expect(replay.code).toBe(0);
    }
  });

  it("refuses a run recorded under another workflow version, and exits 1 on the differences when forced", async () => {
    // Recorded under a $2,000 limit: the $1,200 refund ran alone; the sample's $500 limit asks a supervisor.
    const thread = await started(
      LARGE,
      createRefundWorkflow({ policy: CedarPolicyEngine.fromDirectory(policiesWithLimit(2000)) }),
    );

    const refused = await governor("replay", thread);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain("WORKFLOW_VERSION_MISMATCH");
    expect(refused.err).toContain("--force");

    const forced = await governor("replay", thread, "--force");
    expect(forced.code).toBe(1);
    expect(forced.out).toMatch(/^≠ policy\s+refund_gate\s+issue_refund\s+allow → require-approval$/m);
    expect(forced.out).toContain("✗ different");
  });

  it("names an unknown thread, an unfinished run and a missing store", async () => {
    await started(SMALL);
    const unknown = await governor("replay", "no-such-thread");
    expect(unknown).toMatchObject({ code: 1 });
    expect(unknown.err).toContain("RUN_NOT_FOUND");

    const waiting = await governor("replay", await started(LARGE));
    expect(waiting.code).toBe(1);
    expect(waiting.err).toContain("REPLAY_UNAVAILABLE");

    const missing = await governorInProcess("replay", "x", "--dir", join(dir, "nowhere"));
    expect(missing.code).toBe(1);
    expect(missing.err.join("\n")).toContain("STORE_NOT_FOUND");
  });
});

describe("governor replay --policies", () => {
  it("lists the decisions a stricter policy set would change, with counts, and exits 0", async () => {
    const small = await started(SMALL);
    await started(LARGE);

    const result = await governor("replay", "--policies", policiesWithLimit(100));

    expect(result.code).toBe(0);
    expect(result.out).toContain("2 runs, 2 policy decisions: 2 re-decided, 1 unchanged, 1 would differ");
    expect(result.out).toContain("allow → require-approval: 1");
    expect(result.out).toContain(`${small} refund_gate issue_refund: allow → require-approval`);
    const json = JSON.parse(
      (await governor("replay", "--policies", policiesWithLimit(100), "--json", small)).out,
    );
    expect(json).toMatchObject({ runs: 1, transitions: { "allow → require-approval": 1 } });
  });

  it("names the file, line and column of a policy syntax error", async () => {
    await started(SMALL);
    const policies = policiesWithLimit(100);
    writeFileSync(
      join(policies, "refund.cedar"),
      "permit (principal, action, resource)\nwhen { context.x == };\n",
    );

    const result = await governor("replay", "--policies", policies);

    expect(result.code).toBe(1);
    expect(result.err).toContain("POLICY_LOAD_FAILED");
    expect(result.err).toMatch(new RegExp(`${join(policies, "refund.cedar").replace(/[.]/g, "\\.")}:2:\\d+`));
  });

  it("refuses --since without --policies, and several threads without it", async () => {
    expect((await governor("replay", "a", "--since", "7d")).err).toContain("CONFIG_INVALID");
    expect((await governor("replay", "a", "b")).err).toContain("CONFIG_INVALID");
  });
});
