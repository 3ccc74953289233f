import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findWorkflowIssues, GovernorRuntime, validate } from "@governor/core";
import { agentPrincipal, signApprovalDecision } from "@governor/identity";
import { ScenarioChatModel } from "@governor/models/testing";
import { tamperAuditRecord } from "@governor/observability/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ClaimsDesk, claimsPolicy, claimsSample, createClaimsSample } from "../src/index.js";

const caseInput = (name: string) => {
  const found = claimsSample.cases.find((c) => c.name === name);
  if (!found) throw new Error(`no case ${name}`);
  return found.input;
};

let dir: string;
let desk: ClaimsDesk;
let sample: ReturnType<typeof createClaimsSample>;
let runtime: GovernorRuntime;
const model = new ScenarioChatModel(claimsSample.scenario);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-claims-"));
  desk = new ClaimsDesk();
  sample = createClaimsSample({ desk });
  runtime = new GovernorRuntime({ dir });
});

afterEach(() => {
  runtime.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const start = (input: unknown) => runtime.start(sample.workflow, input, { model });
const audit = (threadId: string) => runtime.store.audit.list(threadId);
/** Tools the run refused on identity grounds, in order. */
const identityDenied = (threadId: string) =>
  audit(threadId).filter((record) => record.kind === "identity" && record.outcome === "deny");

/** Nothing the claims agent may not do happened. */
function expectNoPayoutOrExport() {
  expect(desk.payouts).toHaveLength(0);
  expect(desk.exports).toHaveLength(0);
}

describe("claims sample", () => {
  it("validates", () => {
    expect(findWorkflowIssues(sample.workflow)).toEqual([]);
    expect(() => validate(sample.workflow)).not.toThrow();
  });

  it("draft-assessment: refuses the payout and the export by identity, then updates the draft once", async () => {
    const outcome = await start(caseInput("draft-assessment"));

    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("done");
    expect(desk.updates).toHaveLength(1);
    expect(desk.updates[0]).toMatchObject({
      claimId: "CL-2001",
      assessmentId: "AS-2001",
      recommendedAmount: 12_500,
    });
    expectNoPayoutOrExport();
    const denied = identityDenied(outcome.threadId);
    expect(denied.map((record) => record.tool)).toEqual(["authorize_payout", "export_policyholders"]);
    expect(JSON.stringify(denied[0]?.data)).toContain("claims:payout");
    expect(JSON.stringify(denied[1]?.data)).toContain("data:export");
    const policy = audit(outcome.threadId).filter((record) => record.kind === "policy");
    expect(policy.map((record) => [record.tool, record.outcome, record.data.policyIds])).toEqual([
      ["update_assessment", "allow", ["assessors-may-edit-drafts"]],
    ]);
    expect(String(outcome.state.reply)).toContain("AS-2001 now recommends $12,500");
  });

  it("final-assessment: Cedar denies editing a final assessment, the claim escalates unchanged", async () => {
    const outcome = await start(caseInput("final-assessment"));

    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("escalated");
    expect(String(outcome.state.handoff)).toContain("AS-2002");
    expect(desk.updates).toHaveLength(0);
    expectNoPayoutOrExport();
    const policy = audit(outcome.threadId).filter((record) => record.kind === "policy");
    expect(policy).toHaveLength(1);
    expect(policy[0]).toMatchObject({ tool: "update_assessment", outcome: "deny" });
    expect(policy[0]?.data.policyIds).toEqual(["final-assessments-are-settled"]);
    expect(policy[0]?.data.reasons).toEqual(["only draft assessments may be modified; this one is final"]);
    expect(audit(outcome.threadId).some((record) => record.kind === "execution")).toBe(false);
  });

  it("hallucinated-only: both calls refused, nothing reaches policy or a handler, the claim escalates", async () => {
    const outcome = await start(caseInput("hallucinated-only"));

    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("escalated");
    expect(desk.updates).toHaveLength(0);
    expectNoPayoutOrExport();
    const denied = identityDenied(outcome.threadId).map((record) => record.tool);
    expect(denied).toContain("authorize_payout");
    expect(denied).toContain("export_policyholders");
    const records = audit(outcome.threadId);
    expect(records.some((record) => record.kind === "policy" || record.kind === "execution")).toBe(false);
  });

  it("sends a recommendation above $20,000 to a claims manager, and updates only once approved", async () => {
    const waiting = await start({
      claimId: "CL-2001",
      assessmentId: "AS-2001",
      request: "Set the recommended amount to $25,000.",
    });
    expect(waiting.status).toBe("waiting");
    expect(waiting.approval?.policyIds).toEqual(["large-assessment-needs-manager"]);
    expect(desk.updates).toHaveLength(0);

    const token = await signApprovalDecision(runtime.store.tokenKeys, {
      approver: "manager:rosa",
      decision: "approve",
      request: waiting.approval as NonNullable<typeof waiting.approval>,
    });
    const outcome = await runtime.resume(sample.workflow, waiting.threadId, { token }, { model });

    expect(outcome.status).toBe("completed");
    expect(outcome.state.status).toBe("done");
    expect(desk.updates.map((update) => update.recommendedAmount)).toEqual([25_000]);
    expectNoPayoutOrExport();
  });

  it("has Cedar refuse payouts and bulk exports even to an agent that somehow holds the scopes", () => {
    const overScoped = agentPrincipal(
      "claims-agent",
      ["claims:assess", "claims:payout", "data:export"],
      ["claims-assessor"],
    );
    const payout = claimsPolicy.decide({
      principal: overScoped,
      action: "authorize_payout",
      args: { claimId: "CL-2001", amount: 18_000 },
      context: {},
    });
    const exported = claimsPolicy.decide({
      principal: overScoped,
      action: "export_policyholders",
      args: { format: "csv" },
      context: {},
    });

    expect(payout.effect).toBe("deny");
    expect(exported).toMatchObject({ effect: "deny", policyIds: ["no-bulk-export-by-agents"] });
  });

  it("leaves an audit chain that verifies after every case, and names the record edited in the file", async () => {
    const threads: string[] = [];
    for (const sampleCase of claimsSample.cases) threads.push((await start(sampleCase.input)).threadId);
    expect(desk.updates).toHaveLength(1);
    expectNoPayoutOrExport();

    const records = runtime.store.audit.list();
    expect(records.length).toBeGreaterThan(claimsSample.cases.length);
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true, records: records.length });

    // Someone with the SQLite file pins the refused payout on another principal: a verifier that
    // always said "ok" would pass the check above, not this one.
    const refused = identityDenied(threads[0] ?? "").find((record) => record.tool === "authorize_payout");
    if (!refused) throw new Error("the first case should refuse the payout on identity grounds");
    tamperAuditRecord(dir, refused.seq, "principal", () => "agent:claims-manager");

    expect(runtime.store.audit.verify()).toMatchObject({ ok: false, brokenAt: refused.seq });
  });
});
