import type { GovernorRuntime } from "@governor/core";
import { issueDelegationToken } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentDesk, credit, DESK_AGENT, deskModel, read, signFor } from "./support/agent-desk.js";
import { auditOf, executions, type Harness, harness } from "./support/harness.js";

/**
 * A delegated agent loop whose delegation lapses while a credit waits for a supervisor: the
 * user's token expires, or the user's delegation is revoked. The approver's genuine decision
 * then arrives; nothing may run on behalf of a user who no longer delegates. Effects are
 * counted in the desk's ledger.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const TURN = { toolCalls: [read("A-1"), credit("A-2", 300)] };
const SCOPES = ["accounts:read", "credits:write"];

describe("agent loop: a delegation that lapses while a call waits", () => {
  it("DL-1 the user's delegation expires while the credit waits: the approver's resume stops at the approval, nothing is credited", async () => {
    const start = Date.parse("2030-07-01T09:00:00Z");
    let clock = start;
    const clocked = h.open({ now: () => clock });
    const desk = agentDesk();
    const model = deskModel([TURN]);
    const token = await issueDelegationToken(clocked.store.tokenKeys, {
      agentId: DESK_AGENT,
      userId: "U-7",
      scopes: SCOPES,
      expiresIn: 120,
      now: new Date(start),
    });
    const waiting = await clocked.start(
      desk.workflow,
      { request: "credit A-2" },
      {
        model: model.model,
        delegation: { token },
      },
    );
    const [asked] = waiting.approvals ?? [];
    if (!asked) throw new Error("the credit should wait for a supervisor");
    expect(desk.effects.reads).toEqual(["A-1"]);

    clock = start + 10 * 60_000;
    const decision = await signFor(clocked.store.tokenKeys, asked);
    const outcome = await clocked
      .resume(desk.workflow, waiting.threadId, { token: decision }, { model: model.model })
      .catch((error: { code?: string }) => ({ status: "refused", error }));

    expect(desk.effects.credits).toEqual([]);
    expect(executions(runtime, waiting.threadId)).toEqual(["read_account:executed"]);
    expect(JSON.stringify(outcome)).toContain("IDENTITY_TOKEN_EXPIRED");
    expect(auditOf(runtime, waiting.threadId, "approval", "approved")).toEqual([]);
  });

  it("DL-2 the user's delegation is revoked while the credit waits: the approver's resume stops, nothing is credited", async () => {
    const desk = agentDesk();
    const model = deskModel([TURN]);
    const token = await issueDelegationToken(runtime.store.tokenKeys, {
      agentId: DESK_AGENT,
      userId: "U-7",
      scopes: SCOPES,
    });
    const waiting = await runtime.start(
      desk.workflow,
      { request: "credit A-2" },
      {
        model: model.model,
        delegation: { token },
      },
    );
    const [asked] = waiting.approvals ?? [];
    if (!asked) throw new Error("the credit should wait for a supervisor");
    const jti = (await runtime.getRun(waiting.threadId)).principal.delegation?.jti ?? "";
    h.open().revokeDelegation(jti, { reason: "user logged out", by: "user:ops" });

    const outcome = await runtime
      .resume(
        desk.workflow,
        waiting.threadId,
        { token: await signFor(runtime.store.tokenKeys, asked) },
        { model: model.model },
      )
      .catch((error: { code?: string }) => ({ status: "refused", error }));

    expect(desk.effects.credits).toEqual([]);
    expect(JSON.stringify(outcome)).toContain("IDENTITY_TOKEN_REVOKED");
    expect(auditOf(runtime, waiting.threadId, "approval", "approved")).toEqual([]);
  });
});
