import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { governorInProcess } from "./support/in-process.js";

// `governor runs`, `runs show` and `cost` over real refund runs in one store: one approved
// after waiting, one still waiting, one denied by policy, one refused by identity for a
// delegated user, and the small refund that runs alone.

let dir: string;

async function governor(...args: string[]) {
  const { code, out, err } = await governorInProcess(...args, "--dir", dir);
  return { code, out, err, text: out.join("\n") };
}

const T = {
  small: "runs-small-0001",
  approved: "runs-approved-0002",
  denied: "runs-denied-0003",
  delegated: "runs-delegated-0004",
  waiting: "runs-waiting-0005",
} as const;

/** Every line the CLI printed fits a standard terminal. */
function expectFits80(lines: readonly string[]): void {
  const over = lines.filter((line) => line.length > 80);
  expect(over).toEqual([]);
}

interface AuditRecordJson {
  kind: string;
  threadId: string;
  data: { model?: string; costUsd?: number; usage?: { inputTokens: number; outputTokens: number } };
}

/** The model records of every run, read through `governor audit show`: what cost figures must add up to. */
async function modelRecords(): Promise<AuditRecordJson[]> {
  const records: AuditRecordJson[] = [];
  for (const thread of Object.values(T)) {
    const shown = await governor("audit", "show", thread, "--json");
    records.push(...(JSON.parse(shown.text) as AuditRecordJson[]).filter((r) => r.kind === "model"));
  }
  return records;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "governor-runs-cli-"));
  // The CLI prices scripted runs at $0 (not real spend); these tests are about showing cost
  // and a cost budget biting, so the scripted model gets a price here.
  const prices = join(dir, "prices.json");
  writeFileSync(prices, JSON.stringify({ "scenario:*": { inputPerMTok: 1, outputPerMTok: 4 } }));
  process.env.GOVERNOR_PRICES = prices;
  const run = async (kase: string, thread: string) => {
    const ran = await governor("run", "refund", "--case", kase, "--thread", thread, "--no-interactive");
    expect(ran.code, ran.err.join("\n")).toBe(0);
  };
  await run("small-refund", T.small);
  await run("large-refund", T.approved);
  const approved = await governor(
    "approve",
    T.approved,
    "--approver",
    "supervisor:sam",
    "--reason",
    "receipt checked against the courier's loss report, which confirms the laptop never arrived",
  );
  expect(approved.code, approved.err.join("\n")).toBe(0);
  await run("flagged-account", T.denied);
  await run("delegated-user", T.delegated);
  await run("large-refund", T.waiting);
}, 240_000);
afterAll(() => {
  delete process.env.GOVERNOR_PRICES;
  rmSync(dir, { recursive: true, force: true });
});

describe("governor runs", () => {
  it("lists every run newest first with status, workflow, principal and cost, as JSON too", async () => {
    const listed = await governor("runs", "--json");
    expect(listed.code).toBe(0);
    const page = JSON.parse(listed.text);
    expect(page).toMatchObject({ total: 5, page: 1, pages: 1, limit: 20 });
    expect(page.runs.map((r: { threadId: string }) => r.threadId)).toEqual([
      T.waiting,
      T.delegated,
      T.denied,
      T.approved,
      T.small,
    ]);
    const byThread = new Map(page.runs.map((r: { threadId: string }) => [r.threadId, r]));
    expect(byThread.get(T.approved)).toMatchObject({
      status: "completed",
      workflow: "refund",
      principal: "agent:support",
    });
    expect(byThread.get(T.waiting)).toMatchObject({ status: "waiting" });
    expect(byThread.get(T.delegated)).toMatchObject({ principal: "agent:support/user:U-7" });
    const records = await modelRecords();
    const approvedCost = records
      .filter((r) => r.threadId === T.approved)
      .reduce((s, r) => s + (r.data.costUsd ?? 0), 0);
    expect((byThread.get(T.approved) as { costUsd: number }).costUsd).toBeCloseTo(approvedCost, 12);
    expect(approvedCost).toBeGreaterThan(0);

    const table = await governor("runs");
    expectFits80(table.out);
    expect(table.out[0]).toMatch(/^status\s+workflow\s+principal\s+cost\s+started UTC\s+took\s+thread$/);
    expect(table.text).toMatch(
      /\nwaiting\s+refund\s+agent:support\s+\$0\.\d{6} \d\d-\d\d \d\d:\d\d\s+\S+\s+runs-wai…\n/,
    );
    expect(table.text).toMatch(/completed\s+refund\s+agent:support… /);
    expect(table.text).toContain("page 1 of 1 · 5 runs");
    expect(table.text).not.toContain("next page");
  });

  it("filters by status and workflow", async () => {
    const waiting = JSON.parse((await governor("runs", "--status", "waiting", "--json")).text);
    expect(waiting.runs.map((r: { threadId: string }) => r.threadId)).toEqual([T.waiting]);
    expect(JSON.parse((await governor("runs", "--workflow", "refund", "--json")).text).total).toBe(5);
    const none = await governor("runs", "--workflow", "claims");
    expect(none.text).toBe("no runs match");
    expect(JSON.parse((await governor("runs", "--since", "1h", "--json")).text).total).toBe(5);
    expect(JSON.parse((await governor("runs", "--since", "2999-01-01", "--json")).text).total).toBe(0);
  });

  it("pages long listings and says how to get the next page", async () => {
    const first = await governor("runs", "--limit", "2");
    expectFits80(first.out);
    expect(
      first.out.filter((line) => line.startsWith("completed") || line.startsWith("waiting")),
    ).toHaveLength(2);
    expect(first.text).toContain("page 1 of 3 · 5 runs");
    expect(first.text).toContain(`next page: governor runs --limit 2 --dir ${dir} --page 2`);
    const last = JSON.parse((await governor("runs", "--limit", "2", "--page", "3", "--json")).text);
    expect(last.runs.map((r: { threadId: string }) => r.threadId)).toEqual([T.small]);
    const lastText = await governor("runs", "--limit", "2", "--page", "3");
    expect(lastText.text).toContain("page 3 of 3");
    expect(lastText.text).not.toContain("next page");
  });
});

describe("governor runs show", () => {
  it("prints the timeline of a run approved after waiting: model, tokens, cost, policy, approver, tool, outcome", async () => {
    const shown = await governor("runs", "show", T.approved);
    expect(shown.code).toBe(0);
    expectFits80(shown.out);
    const text = shown.text;
    expect(text).toMatch(/propose\s+model scenario:refund proposed → issue_refund/);
    expect(text).toMatch(/\d+ in \+ \d+ out tokens · \$0\.\d{6}/);
    expect(text).toMatch(/refund_gate\s+policy REQUIRE-APPROVAL issue_refund/);
    expect(text).toContain("policies: refund-over-limit-needs-approval");
    expect(text).toContain("run waiting for approval of issue_refund");
    expect(text).toContain("approval approved issue_refund by supervisor:sam");
    // The approver's long reason is wrapped, not cut: every word is there.
    expect(text.replace(/\s+/g, " ")).toContain(
      `reason: "receipt checked against the courier's loss report, which confirms the laptop never arrived"`,
    );
    expect(text).toMatch(/issue_refund\s+tool issue_refund executed/);
    expect(text).toMatch(/\noutcome\s+completed\n/);
    expect(text).toMatch(/\ntotals\s+2 model calls · \d+ tokens/);
    expect(text).toMatch(/\nbudget\s+\d+ steps, /);
  });

  it("gives the same timeline as JSON: model latency and usage, decisions with policy ids, the approver", async () => {
    const timeline = JSON.parse((await governor("runs", "show", T.approved, "--json")).text);
    expect(timeline.run).toMatchObject({ threadId: T.approved, status: "completed", workflow: "refund" });
    const models = timeline.entries.filter((e: { type: string }) => e.type === "model");
    expect(models).toHaveLength(2);
    for (const model of models) {
      expect(model).toMatchObject({ model: "scenario:refund", tokenSource: expect.any(String) });
      expect(model.latencyMs).toEqual(expect.any(Number));
      expect(model.inputTokens).toBeGreaterThan(0);
    }
    expect(timeline.entries).toContainEqual(
      expect.objectContaining({
        type: "decision",
        control: "policy",
        outcome: "require-approval",
        policyIds: ["refund-over-limit-needs-approval"],
      }),
    );
    expect(timeline.entries).toContainEqual(
      expect.objectContaining({ type: "approval", outcome: "approved", approver: "supervisor:sam" }),
    );
    expect(timeline.entries).toContainEqual(
      expect.objectContaining({
        type: "tool",
        tool: "issue_refund",
        outcome: "executed",
        idempotencyKey: expect.any(String),
      }),
    );
    expect(timeline.outcome).toEqual({ status: "completed" });
    const records = (await modelRecords()).filter((r) => r.threadId === T.approved);
    expect(timeline.totals.costUsd).toBeCloseTo(
      records.reduce((s, r) => s + (r.data.costUsd ?? 0), 0),
      12,
    );
    expect(timeline.budget.steps).toBeGreaterThan(0);
  });

  it("shows a denial with its reason and policy, and no tool call", async () => {
    const shown = await governor("runs", "show", T.denied);
    expectFits80(shown.out);
    expect(shown.text).toMatch(/refund_gate\s+policy DENY issue_refund/);
    expect(shown.text).toContain("policies: no-refund-to-flagged-account");
    expect(shown.text).not.toContain("tool issue_refund");
  });

  it("says what a waiting run waits for", async () => {
    const shown = await governor("runs", "show", T.waiting);
    expect(shown.text).toMatch(/\noutcome\s+waiting for approval apr_\w+/);
  });

  it("takes the start of a thread id, as the listing prints it", async () => {
    const shown = await governor("runs", "show", "runs-den");
    expect(shown.code).toBe(0);
    expect(shown.out[0]).toBe(`run ${T.denied}`);
    const ambiguous = await governor("runs", "show", "runs-");
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.err.join("\n")).toContain("RUN_NOT_FOUND");
    expect(ambiguous.err.join("\n")).toContain("ambiguous");
  });

  it("names an unknown thread", async () => {
    const missing = await governor("runs", "show", "no-such-thread");
    expect(missing.code).toBe(1);
    expect(missing.err.join("\n")).toContain("error [RUN_NOT_FOUND]: No run with thread id no-such-thread");
  });
});

describe("governor cost", () => {
  it("groups by model, workflow and principal with figures that are the sums of the model records", async () => {
    const records = await modelRecords();
    const sum = (list: AuditRecordJson[]) => list.reduce((s, r) => s + (r.data.costUsd ?? 0), 0);
    const tokens = (list: AuditRecordJson[]) =>
      list.reduce((s, r) => s + (r.data.usage?.inputTokens ?? 0) + (r.data.usage?.outputTokens ?? 0), 0);

    const byModel = JSON.parse((await governor("cost", "--by", "model", "--json")).text);
    expect(byModel.by).toBe("model");
    expect(byModel.totals.costUsd).toBeCloseTo(sum(records), 12);
    expect(byModel.totals.inputTokens + byModel.totals.outputTokens).toBe(tokens(records));
    expect(byModel.totals).toMatchObject({ runs: 5, resolvedRuns: 4, modelCalls: records.length });
    expect(byModel.totals.costPerResolvedRun).toBeCloseTo(sum(records) / 4, 12);
    expect(byModel.totals.costPerRun).toBeCloseTo(sum(records) / 5, 12);
    for (const group of byModel.groups) {
      expect(group.costUsd).toBeCloseTo(sum(records.filter((r) => r.data.model === group.key)), 12);
    }

    const byPrincipal = JSON.parse((await governor("cost", "--by", "principal", "--json")).text);
    const delegated = byPrincipal.groups.find((g: { key: string }) => g.key === "agent:support/user:U-7");
    expect(delegated).toMatchObject({ runs: 1, resolvedRuns: 1 });
    expect(delegated.costUsd).toBeCloseTo(sum(records.filter((r) => r.threadId === T.delegated)), 12);

    const byWorkflow = await governor("cost");
    expect(byWorkflow.code).toBe(0);
    expectFits80(byWorkflow.out);
    expect(byWorkflow.out[0]).toBe("model cost by workflow, all runs");
    expect(byWorkflow.text).toMatch(/\nrefund\s+5\s+4\s+\d+/);
    expect(byWorkflow.text).toMatch(/\ntotal\s+5\s+4\s+\d+/);
  });

  it("counts only the runs started since --since", async () => {
    const none = JSON.parse((await governor("cost", "--since", "2999-01-01", "--json")).text);
    expect(none.totals).toMatchObject({ runs: 0, costUsd: 0, costPerRun: null });
    const all = JSON.parse((await governor("cost", "--since", "1d", "--json")).text);
    expect(all.totals.runs).toBe(5);
  });

  it.each([
    [["cost", "--by", "tool"], '--by "tool" is not a grouping: use one of workflow, principal, model'],
    [["cost", "--since", "last tuesday"], '--since "last tuesday" is not a date'],
    [["runs", "--since", "12/1"], '--since "12/1" is not a date'],
    [["runs", "--status", "done"], '--status "done" is not a run status'],
    [["runs", "--limit", "0"], '--limit "0" must be a whole number'],
  ])("refuses %j with CONFIG_INVALID saying what was wrong", async (args, message) => {
    const refused = await governor(...args);
    expect(refused.code).toBe(1);
    expect(refused.err.join("\n")).toContain(`error [CONFIG_INVALID]: ${message}`);
  });
});

describe("a store that does not exist", () => {
  it.each([[["runs"]], [["runs", "show", T.small]], [["cost"]]])(
    "%j is STORE_NOT_FOUND naming the path, and creates nothing",
    async (args) => {
      const missing = join(dir, "not-a-store");
      const { code, err } = await governorInProcess(...args, "--dir", missing);
      expect(code).toBe(1);
      expect(err.join("\n")).toContain(`error [STORE_NOT_FOUND]: No Governor store at ${missing}`);
      expect(existsSync(missing)).toBe(false);
    },
  );
});

describe("a run stopped by its budget", () => {
  it("shows the limits it ran under, what it asked for, and that it waits for budget", async () => {
    const own = mkdtempSync(join(tmpdir(), "governor-runs-budget-"));
    try {
      const thread = "runs-budget-0006";
      const args = ["--dir", own];
      const ran = await governorInProcess(
        "run",
        "refund",
        "--case",
        "small-refund",
        "--thread",
        thread,
        "--max-cost",
        "0.0002",
        "--no-interactive",
        ...args,
      );
      expect(ran.code, ran.err.join("\n")).toBe(0);
      const shown = await governorInProcess("runs", "show", thread, ...args);
      expectFits80(shown.out);
      const text = shown.out.join("\n");
      expect(text).toMatch(/budget requested/);
      expect(text).toContain('exceeded: ["maxCostUsd"]');
      expect(text).toMatch(/\noutcome\s+waiting for budget bgt_\w+/);
      expect(text).toMatch(/\nbudget\s+\d+ steps, .*limits: max cost \$0\.0002/);
      const timeline = JSON.parse(
        (await governorInProcess("runs", "show", thread, "--json", ...args)).out.join("\n"),
      );
      expect(timeline.budget.limits).toEqual({ maxCostUsd: 0.0002 });
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});

describe("an agent loop's timeline", () => {
  it("fits 80 columns and names each model call's turn, its tools and their results", async () => {
    const own = mkdtempSync(join(tmpdir(), "governor-runs-agent-"));
    try {
      const thread = "runs-agent-0007";
      const args = ["--dir", own];
      const ran = await governorInProcess(
        "run",
        "support-agent",
        "--case",
        "refund-and-cancel",
        "--thread",
        thread,
        "--no-interactive",
        ...args,
      );
      expect(ran.code, ran.err.join("\n")).toBe(0);
      const shown = await governorInProcess("runs", "show", thread, ...args);
      expect(shown.code).toBe(0);
      expectFits80(shown.out);
      const text = shown.out.join("\n");
      expect(text).toMatch(/ · turn 1\n/);
      expect(text).toMatch(/tool lookup_order executed\n\s+result/);
      expect(text).toMatch(/policy DENY cancel_order/);
      expect(text).toMatch(/\noutcome\s+waiting for approval apr_\w+/);
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
});
