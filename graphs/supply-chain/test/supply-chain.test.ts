import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ApprovalRequest, GovernorError, RunOptions, RunOutcome, Workflow } from "@governor/core";
import { compile, defineWorkflow, GovernorRuntime } from "@governor/core";
import { issueDelegationToken, signApprovalDecision } from "@governor/identity";
import { defineScenario } from "@governor/models";
import { ScenarioChatModel } from "@governor/models/testing";
import type { AuditRecord } from "@governor/observability";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createSupplyChainSample,
  ErpLedger,
  EXECUTOR_MARKER,
  executorAgent,
  specialistAgent,
  supplyChainPrices,
  supplyChainRouting,
  supplyChainScenarios,
  VendorOutbox,
} from "../src/index.js";

let dir: string;
let erp: ErpLedger;
let outbox: VendorOutbox;
let sample: ReturnType<typeof createSupplyChainSample>;
let runtime: GovernorRuntime;
let models: { fast: ScenarioChatModel; strong: ScenarioChatModel };

const FAST = "scenario:supply-chain-fast";
const STRONG = "scenario:supply-chain-strong";

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-supply-chain-"));
  erp = new ErpLedger();
  outbox = new VendorOutbox();
  sample = createSupplyChainSample({ erp, outbox });
  models = {
    fast: new ScenarioChatModel(supplyChainScenarios.fast),
    strong: new ScenarioChatModel(supplyChainScenarios.strong),
  };
  runtime = new GovernorRuntime({ dir, prices: supplyChainPrices });
});

afterEach(() => {
  runtime.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The input of one of the sample's cases, by name. */
function caseInput(name: string): Record<string, unknown> {
  const found = sample.cases.find((entry) => entry.name === name);
  if (!found) throw new Error(`the sample has no case ${name}`);
  return found.input;
}

const start = (
  name: string,
  options: Omit<RunOptions, "models"> = {},
  workflow: Workflow = sample.workflow,
) => runtime.start(workflow, caseInput(name), { models, ...options });

function auditOf(threadId: string): AuditRecord[] {
  return runtime.store.audit.list(threadId);
}

/** Audit records of one kind about one tool. */
function recordsFor(records: readonly AuditRecord[], kind: string, tool: string): AuditRecord[] {
  return records.filter((record) => record.kind === kind && record.tool === tool);
}

/** The model turns of one agent node, in order: which model answered, and why it was chosen. */
function turnsOf(records: readonly AuditRecord[], node: string) {
  return records
    .filter((record) => record.kind === "model" && record.node === node)
    .map((record) => ({
      model: record.data.model,
      costUsd: Number(record.data.costUsd),
      reason: String((record.data.route as { reason?: unknown } | undefined)?.reason ?? ""),
      tools: ((record.data.toolCalls as { tool: string }[] | undefined) ?? []).map((call) => call.tool),
      principal: record.principal,
    }));
}

/** The approval requests a waiting run asks a human to decide. */
function requestsOf(outcome: RunOutcome): readonly ApprovalRequest[] {
  expect(outcome.status).toBe("waiting");
  const requests = outcome.approvals ?? (outcome.approval ? [outcome.approval] : []);
  expect(requests.length).toBeGreaterThan(0);
  return requests;
}

async function signed(decision: "approve" | "reject", request: ApprovalRequest, approver = "manager:ines") {
  return { token: await signApprovalDecision(runtime.store.tokenKeys, { approver, decision, request }) };
}

async function rejection(promise: Promise<unknown>): Promise<GovernorError> {
  return promise.then(
    () => {
      throw new Error("expected the call to throw");
    },
    (caught: unknown) => caught as GovernorError,
  );
}

describe("supply-chain sample: three agents, one governance", () => {
  it("works the bearing bottleneck: parallel reads, two handoffs, the specialist refused the ERP, the executor's $3,600 change runs once", async () => {
    const outcome = await start("bearing-reorder");

    expect(outcome.status).toBe("completed");
    // Real effects: one vendor draft, one ERP change, the executor's.
    expect(outbox.drafts.map((draft) => [draft.vendorId, draft.sku])).toEqual([["V-7", "SKU-100"]]);
    expect(erp.changes.map((change) => [change.sku, change.quantity, change.value])).toEqual([
      ["SKU-100", 300, 3600],
    ]);
    expect(outcome.state.erpChange).toMatchObject({ changeId: "CHG-1", quantity: 300 });
    expect(String(outcome.state.summary)).toContain("Raised CHG-1");
    expect(String(outcome.state.bottleneck)).toMatch(/^Bottleneck: SKU-100/);

    const records = auditOf(outcome.threadId);
    // The diagnostic proposed both reads in one turn, and each ran as the diagnostic.
    expect(turnsOf(records, "diagnostic")[0]?.tools).toEqual(["read_inventory", "read_shipments"]);
    for (const tool of ["read_inventory", "read_shipments"]) {
      expect(recordsFor(records, "execution", tool).map((record) => record.principal)).toEqual([
        "agent:diagnostic",
      ]);
    }
    expect(recordsFor(records, "execution", "draft_vendor_response").map((r) => r.principal)).toEqual([
      "agent:specialist",
    ]);
    expect(recordsFor(records, "execution", "update_erp").map((r) => r.principal)).toEqual([
      "agent:executor",
    ]);

    // One audit chain for the run, with every agent's own principal in it.
    const principals = new Set(records.map((record) => record.principal));
    for (const principal of ["agent:diagnostic", "agent:specialist", "agent:executor"]) {
      expect(principals).toContain(principal);
    }
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true });
  });

  it("draws each declared handoff for Studio as an edge from the agent's tools node, and no other", async () => {
    const graph = compile(sample.workflow, { models, ...runtime.store.graphServices() });
    const handoffs = graph
      .getGraph()
      .edges.filter((edge) => String(edge.data ?? "").startsWith("handoff:"))
      .map((edge) => `${edge.source} → ${edge.target}`)
      .sort();
    expect(handoffs).toEqual([
      "diagnostic.tools → executor",
      "diagnostic.tools → specialist",
      "specialist.tools → executor",
    ]);
  });

  it("records each handoff as a governed call: the policy's decision and its execution, by the agent handing off", async () => {
    const outcome = await start("bearing-reorder");
    const records = auditOf(outcome.threadId);

    const decided = (tool: string) =>
      recordsFor(records, "policy", tool).map((record) => [
        record.principal,
        record.outcome,
        record.data.policyIds,
      ]);
    expect(decided("handoff_to_specialist")).toEqual([
      ["agent:diagnostic", "allow", ["diagnostic-hands-to-specialist"]],
    ]);
    expect(decided("handoff_to_executor")).toEqual([["agent:specialist", "allow", ["hand-to-executor"]]]);
    expect(recordsFor(records, "execution", "handoff_to_specialist").map((r) => r.principal)).toEqual([
      "agent:diagnostic",
    ]);
    expect(recordsFor(records, "execution", "handoff_to_executor").map((r) => r.principal)).toEqual([
      "agent:specialist",
    ]);
    // The run went diagnostic → specialist → executor, in that order.
    const firstTurn = (node: string) => records.findIndex((r) => r.kind === "model" && r.node === node);
    expect(firstTurn("diagnostic")).toBeLessThan(firstTurn("specialist"));
    expect(firstTurn("specialist")).toBeLessThan(firstTurn("executor"));
  });

  it("refuses the specialist's own ERP write for scope, though it was offered the tool", async () => {
    expect(specialistAgent.scopes).not.toContain("erp:write");
    const outcome = await start("bearing-reorder");
    const records = auditOf(outcome.threadId);

    const attempts = records.filter(
      (record) => record.tool === "update_erp" && record.principal === "agent:specialist",
    );
    const refused = attempts.filter((record) => record.kind === "identity" && record.outcome === "deny");
    expect(refused).toHaveLength(1);
    expect(refused[0]?.data.missingScopes).toEqual(["erp:write"]);
    expect(attempts.some((record) => record.kind === "execution")).toBe(false);
    // The specialist saw the refusal and handed the order on; the only ERP change is the executor's.
    expect(turnsOf(records, "specialist").map((turn) => turn.tools)).toEqual([
      ["draft_vendor_response"],
      ["update_erp"],
      ["handoff_to_executor"],
    ]);
    expect(erp.changes).toHaveLength(1);
  });

  it("refuses the specialist's ERP write by its scopes even under a policy that permits everything", async () => {
    const permissive = new RulePolicyEngine([
      {
        id: "anything-goes",
        actions: [
          "read_inventory",
          "read_shipments",
          "draft_vendor_response",
          "update_erp",
          "handoff_to_specialist",
          "handoff_to_executor",
        ],
        effect: "permit",
        reason: "a policy mistake",
      },
    ]);
    sample = createSupplyChainSample({ erp, outbox, policy: permissive });

    const outcome = await start("bearing-reorder");

    expect(outcome.status).toBe("completed");
    const records = auditOf(outcome.threadId);
    expect(
      records.filter((record) => record.principal === "agent:specialist" && record.tool === "update_erp"),
    ).not.toContainEqual(expect.objectContaining({ kind: "execution" }));
    expect(erp.changes.map((change) => change.idempotencyKey)).toHaveLength(1);
    expect(recordsFor(records, "execution", "update_erp").map((r) => r.principal)).toEqual([
      "agent:executor",
    ]);
  });

  it("holds a handoff for a human when policy says so: the executor takes no turn until it is approved", async () => {
    const everyTool = [
      "read_inventory",
      "read_shipments",
      "draft_vendor_response",
      "update_erp",
      "handoff_to_specialist",
      "handoff_to_executor",
    ];
    const policy = new RulePolicyEngine([
      { id: "permit-all", actions: everyTool, effect: "permit", reason: "scopes decide in this test" },
      {
        id: "erp-handoff-needs-a-manager",
        actions: ["handoff_to_executor"],
        effect: "require-approval",
        reason: "a manager signs off before anyone touches the ERP",
      },
    ]);
    sample = createSupplyChainSample({ erp, outbox, policy });

    const waiting = await start("bearing-reorder");
    const [request] = requestsOf(waiting);
    expect(request).toMatchObject({ tool: "handoff_to_executor", node: "specialist.approval" });
    expect(turnsOf(auditOf(waiting.threadId), "executor")).toEqual([]);
    expect(erp.changes).toHaveLength(0);

    const outcome = await runtime.resume(
      sample.workflow,
      waiting.threadId,
      await signed("approve", request as ApprovalRequest),
      { models },
    );

    expect(outcome.status).toBe("completed");
    expect(erp.changes).toHaveLength(1);
    expect(recordsFor(auditOf(waiting.threadId), "execution", "handoff_to_executor")).toHaveLength(1);
  });

  it("refuses an executor's order past the target stock, or from a vendor that does not supply the item, at the precondition", async () => {
    // An executor that over-orders, once from the right vendor and once from another, in one turn.
    const overOrdering = (name: string) =>
      defineScenario({
        name,
        turns: [
          {
            when: { system: new RegExp(EXECUTOR_MARKER) },
            reply: ({ last }) =>
              (last as { name?: string } | undefined)?.name === "update_erp"
                ? { text: "The orders were refused." }
                : {
                    text: "Ordering plenty, from two vendors to be safe.",
                    toolCalls: [
                      {
                        name: "update_erp",
                        args: {
                          sku: "SKU-100",
                          site: "PLANT-1",
                          vendorId: "V-7",
                          quantity: 4000,
                          reason: "stock up",
                        },
                      },
                      {
                        name: "update_erp",
                        args: {
                          sku: "SKU-100",
                          site: "PLANT-1",
                          vendorId: "V-9",
                          quantity: 100,
                          reason: "second source",
                        },
                      },
                    ],
                  },
          },
          ...supplyChainScenarios.fast.turns,
        ],
      });
    models = {
      fast: new ScenarioChatModel(overOrdering("supply-chain-fast")),
      strong: new ScenarioChatModel(overOrdering("supply-chain-strong")),
    };

    const outcome = await start("bearing-reorder");

    expect(outcome.status).toBe("completed");
    const checks = recordsFor(auditOf(outcome.threadId), "precondition", "update_erp").filter(
      (record) => record.principal === "agent:executor",
    );
    expect(checks.map((record) => [record.outcome, JSON.stringify(record.data)])).toEqual([
      ["fail", expect.stringContaining("4000 units would take SKU-100 past its target stock (room for 300)")],
      ["fail", expect.stringContaining("V-9 does not supply SKU-100; V-7 does")],
    ]);
    expect(erp.changes).toHaveLength(0);
  });

  describe("an ERP change above $10,000", () => {
    async function startServo() {
      const waiting = await start("servo-reorder");
      const requests = requestsOf(waiting);
      expect(requests).toHaveLength(1);
      return { waiting, request: requests[0] as ApprovalRequest };
    }

    it("waits for a manager without touching the ERP", async () => {
      const { waiting, request } = await startServo();

      expect(request.tool).toBe("update_erp");
      expect(request.args).toMatchObject({ sku: "SKU-200", quantity: 150, vendorId: "V-9" });
      expect(request.policyIds).toContain("large-erp-change-needs-approval");
      expect(request.summary).toContain("$36,000");
      expect(erp.changes).toHaveLength(0);
      expect(outbox.drafts).toHaveLength(1);
      expect((await runtime.pending()).map((entry) => entry.run.threadId)).toEqual([waiting.threadId]);
    });

    it("runs exactly once when the manager approves that call, and never again", async () => {
      const { waiting, request } = await startServo();
      const approval = await signed("approve", request);

      const outcome = await runtime.resume(sample.workflow, waiting.threadId, approval, { models });

      expect(outcome.status).toBe("completed");
      expect(erp.changes.map((change) => [change.sku, change.quantity, change.value])).toEqual([
        ["SKU-200", 150, 36000],
      ]);
      const records = auditOf(waiting.threadId);
      expect(recordsFor(records, "execution", "update_erp")).toHaveLength(1);
      expect(
        records.filter((record) => record.kind === "approval" && record.outcome === "approved"),
      ).toMatchObject([{ tool: "update_erp", data: expect.objectContaining({ approver: "manager:ines" }) }]);
      // The same decision again finds no run waiting: nothing runs twice.
      const again = await rejection(runtime.resume(sample.workflow, waiting.threadId, approval, { models }));
      expect(again.code).toBe("RUN_NOT_INTERRUPTED");
      expect(erp.changes).toHaveLength(1);
    });

    it("keeps waiting for an approver without approvals:erp, and changes nothing when the manager rejects", async () => {
      const { waiting, request } = await startServo();

      const byBuyer = await runtime.resume(
        sample.workflow,
        waiting.threadId,
        await signed("approve", request, "buyer:tom"),
        { models },
      );
      expect(byBuyer.status).toBe("waiting");
      expect(erp.changes).toHaveLength(0);

      const rejected = await runtime.resume(
        sample.workflow,
        waiting.threadId,
        await signed("reject", request),
        { models },
      );
      expect(rejected.status).toBe("completed");
      expect(erp.changes).toHaveLength(0);
      expect(String(rejected.state.summary)).toMatch(/was not made/);
    });
  });

  it("denies the diagnostic's shortcut to the executor before any vendor draft, then goes through the specialist", async () => {
    const outcome = await start("rush-order");

    expect(outcome.status).toBe("completed");
    const records = auditOf(outcome.threadId);
    const handoffs = recordsFor(records, "policy", "handoff_to_executor").map((record) => [
      record.principal,
      record.outcome,
      record.data.policyIds,
    ]);
    expect(handoffs).toEqual([
      ["agent:diagnostic", "deny", ["no-erp-handoff-before-vendor-draft"]],
      ["agent:specialist", "allow", ["hand-to-executor"]],
    ]);
    // The denied handoff moved nothing: the executor's first turn came after the specialist's draft.
    const diagnosticHandoffs = recordsFor(records, "execution", "handoff_to_executor").map(
      (r) => r.principal,
    );
    expect(diagnosticHandoffs).toEqual(["agent:specialist"]);
    expect(outbox.drafts).toHaveLength(1);
    expect(erp.changes).toHaveLength(1);
  });

  it("does not let a draft filed under an earlier incident unlock the executor", async () => {
    // The same outbox already holds a bearing draft, from incident INC-1041.
    const earlier = await start("bearing-reorder");
    expect(earlier.status).toBe("completed");
    expect(outbox.drafts.map((draft) => draft.incident)).toEqual(["INC-1041"]);

    const outcome = await start("rush-order");

    const decided = recordsFor(auditOf(outcome.threadId), "policy", "handoff_to_executor");
    expect(decided[0]).toMatchObject({
      principal: "agent:diagnostic",
      outcome: "deny",
      data: expect.objectContaining({ context: { draftReady: false } }),
    });
    expect(outbox.drafts.map((draft) => draft.incident)).toEqual(["INC-1041", "INC-1043"]);
    expect(erp.changes).toHaveLength(2);
  });

  it("refuses a handoff to an agent the workflow does not have, as a tool not offered", async () => {
    const outcome = await start("finance-handoff");

    expect(outcome.status).toBe("completed");
    const records = auditOf(outcome.threadId);
    const refused = records.filter((record) => record.tool === "handoff_to_finance");
    expect(refused.map((record) => [record.kind, record.outcome, record.principal])).toEqual([
      ["identity", "deny", "agent:diagnostic"],
    ]);
    expect(JSON.stringify(refused[0]?.data.reasons)).toContain("no tool named handoff_to_finance");
    // It was never put to the policy, never executed; the diagnostic then handed to the specialist.
    expect(
      records.some((record) => record.kind === "execution" && record.tool === "handoff_to_finance"),
    ).toBe(false);
    expect(recordsFor(records, "execution", "handoff_to_specialist")).toHaveLength(1);
  });

  describe("acting for a planner", () => {
    const delegation = async (scopes: string[]) => ({
      token: await issueDelegationToken(runtime.store.tokenKeys, {
        agentId: "supply-chain",
        userId: "U-9",
        scopes,
      }),
    });

    it("refuses the executor's ERP write for scope when the planner lacks erp:write, though the executor holds it", async () => {
      expect(executorAgent.scopes).toContain("erp:write");
      const outcome = await start("delegated-planner", {
        delegation: await delegation(["inventory:read", "shipments:read", "vendors:draft"]),
      });

      expect(outcome.status).toBe("completed");
      expect(erp.changes).toHaveLength(0);
      expect(outbox.drafts).toHaveLength(1);
      const records = auditOf(outcome.threadId);
      const refused = records.filter(
        (record) =>
          record.kind === "identity" &&
          record.tool === "update_erp" &&
          record.principal === "agent:executor/user:U-9",
      );
      expect(refused).toHaveLength(1);
      expect(refused[0]?.data.missingScopes).toEqual(["erp:write"]);
      // Every agent acted for the planner.
      const principals = new Set(
        records.map((record) => record.principal).filter((id) => id?.startsWith("agent:")),
      );
      expect([...principals].sort()).toEqual(
        expect.arrayContaining([
          "agent:diagnostic/user:U-9",
          "agent:executor/user:U-9",
          "agent:specialist/user:U-9",
        ]),
      );
      expect(String(outcome.state.summary)).toMatch(/was not made/);
    });

    it("changes the ERP when the planner holds erp:write too", async () => {
      const outcome = await start("delegated-planner", {
        delegation: await delegation(["inventory:read", "shipments:read", "vendors:draft", "erp:write"]),
      });

      expect(outcome.status).toBe("completed");
      expect(erp.changes.map((change) => change.quantity)).toEqual([300]);
      expect(
        recordsFor(auditOf(outcome.threadId), "execution", "update_erp").map((r) => r.principal),
      ).toEqual(["agent:executor/user:U-9"]);
    });
  });

  describe("model routing", () => {
    it("records which model answered each turn and why: fast for lookups, strong for the specialist and for a write", async () => {
      const outcome = await start("bearing-reorder");
      const records = auditOf(outcome.threadId);

      const diagnostic = turnsOf(records, "diagnostic");
      expect(diagnostic.map((turn) => turn.model)).toEqual([FAST, FAST]);
      expect(diagnostic[0]?.reason).toBe("default model");
      expect(turnsOf(records, "specialist").every((turn) => turn.model === STRONG)).toBe(true);
      const executor = turnsOf(records, "executor");
      expect(executor.map((turn) => turn.model)).toEqual([FAST, STRONG]);
      expect(executor[1]?.reason).toMatch(/about a write/);
      // What each model cost is in the run's usage.
      expect(Object.keys(outcome.usage?.byModel ?? {}).sort()).toEqual([FAST, STRONG]);
      expect(outcome.usage?.costUsd).toBeGreaterThan(0);
    });

    it("moves the diagnostic to the strong model once a long shipment history outgrows the fast model's window", async () => {
      const waiting = await start("servo-reorder");
      const diagnostic = turnsOf(auditOf(waiting.threadId), "diagnostic");

      expect(diagnostic.map((turn) => turn.model)).toEqual([FAST, STRONG]);
      expect(diagnostic[1]?.reason).toMatch(/outgrew the fast model's window/);
    });

    /** The bearing run's cost, and its cost before the executor's last turn (the strong model's report). */
    async function bearingCosts() {
      const full = await start("bearing-reorder");
      const costs = turnsOf(auditOf(full.threadId), "executor");
      expect(costs.at(-1)?.model).toBe(STRONG);
      const total = Number(full.usage?.costUsd);
      return { total, beforeLastTurn: total - Number(costs.at(-1)?.costUsd) };
    }

    function freshSample() {
      erp = new ErpLedger();
      outbox = new VendorOutbox();
      sample = createSupplyChainSample({ erp, outbox });
    }

    it("forces the fast model when less than 20% of the budget is left, so the run finishes inside it", async () => {
      const { total, beforeLastTurn } = await bearingCosts();
      // The executor's last turn starts with 18% of this budget left: room for the fast model's
      // answer, not the strong one's. (The planner's estimates run above the actual costs, so a
      // budget much tighter than this stops the specialist first, and a looser one never falls
      // below 20%: the window is narrow, and deterministic with the scripted models.)
      const budget = { maxCostUsd: beforeLastTurn / 0.82 };
      expect(total).toBeGreaterThan(budget.maxCostUsd);
      freshSample();

      const tight = await start("bearing-reorder", { budget });

      expect(tight.status).toBe("completed");
      expect(Number(tight.usage?.costUsd)).toBeLessThanOrEqual(budget.maxCostUsd);
      const last = turnsOf(auditOf(tight.threadId), "executor").at(-1);
      expect(last?.model).toBe(FAST);
      expect(last?.reason).toMatch(
        /less than 20% of the run's budget is left \(18% of the budget left < 20%\)/,
      );
      expect(erp.changes).toHaveLength(1);
    });

    it("without the budget rule, the same budget runs out: the run stops to ask a human for more", async () => {
      const { beforeLastTurn } = await bearingCosts();
      freshSample();
      const withoutFloor = {
        ...supplyChainRouting,
        rules: supplyChainRouting.rules.filter((rule) => !("budgetRemainingBelow" in rule)),
      };
      const executor = sample.workflow.nodes.executor;
      if (executor?.kind !== "agent") throw new Error("the executor should be an agent node");
      const unguarded = defineWorkflow({
        ...sample.workflow,
        nodes: { ...sample.workflow.nodes, executor: { ...executor, models: withoutFloor } },
      });

      const stopped = await start(
        "bearing-reorder",
        { budget: { maxCostUsd: beforeLastTurn / 0.82 } },
        unguarded,
      );

      expect(stopped.status).toBe("waiting");
      // It stops before the executor's closing turn, on the strong model the write rule picked.
      expect(stopped.budgetRequest).toMatchObject({
        node: "executor",
        model: STRONG,
        exceeded: ["maxCostUsd"],
      });
      expect(erp.changes).toHaveLength(1);
    });

    it("prices each run by the models that ran: the strong model's turns cost more", async () => {
      const outcome = await start("bearing-reorder");
      const byModel = outcome.usage?.byModel ?? {};
      const perCall = (name: string) => Number(byModel[name]?.costUsd) / Number(byModel[name]?.calls);
      expect(perCall(STRONG)).toBeGreaterThan(perCall(FAST));
      expect(Number(outcome.usage?.costUsd)).toBeCloseTo(
        Object.values(byModel).reduce((sum, entry) => sum + entry.costUsd, 0),
        10,
      );
    });
  });
});
