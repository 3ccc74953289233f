import type { GovernorRuntime } from "@governor/core";
import { issueDelegationToken } from "@governor/identity";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditOf, type Harness, harness, rejection } from "./support/harness.js";
import { LAPTOP, type RefundDesk, refundAttack, refundCall, refundDesk } from "./support/refund-desk.js";

/**
 * A user lends the agent their authority for a short time. A run can wait for a human far
 * longer than that: the delegation must hold at every step, not only when the run started.
 * Every case counts real refunds in the desk's payments ledger.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const USER_SCOPES = ["refunds:write", "orders:read"];

let h: Harness;
let runtime: GovernorRuntime;
let desk: RefundDesk;
/** The runtime's clock: tests move it to let a delegation lapse while a run waits. */
let clock: number;

beforeEach(() => {
  // Starts at the real time: decisions are signed at the real time and must not look issued in the future.
  clock = Math.floor(Date.now() / 1000) * 1000;
  h = harness({ now: () => clock });
  runtime = h.runtime;
  desk = refundDesk();
});
afterEach(() => h.cleanup());

/** A 5-minute delegation from user U-42 to the support agent. */
function delegation(expiresIn: string | number = "5m") {
  return issueDelegationToken(runtime.store.tokenKeys, {
    agentId: "support",
    userId: "U-42",
    scopes: USER_SCOPES,
    expiresIn,
    now: new Date(clock),
  });
}

/** The $1,200 laptop refund, started for user U-42, waiting for a supervisor. */
async function waitingForApproval(token?: string) {
  const { model } = refundAttack("large", [refundCall({ orderId: "A-1002", amount: 1200 })]);
  const outcome = await runtime.start(desk.workflow, LAPTOP, {
    model,
    ...(token ? { delegation: { token } } : {}),
  });
  expect(outcome.status).toBe("waiting");
  expect(outcome.approval?.tool).toBe("issue_refund");
  expect(desk.ledger.refunds).toHaveLength(0);
  return { outcome, model };
}

const supervisor = { approver: "supervisor:sam", decision: "approve" as const, reason: "courier lost it" };

describe("a delegation that lapses while the run waits", () => {
  it("DL-1 an approval two hours after a 5-minute delegation expired refunds nothing and fails the run", async () => {
    const { outcome, model } = await waitingForApproval(await delegation("5m"));
    const principal = (await runtime.getRun(outcome.threadId)).principal;
    expect(principal.delegation?.jti).toEqual(expect.any(String));

    clock += 2 * HOUR;
    const approved = await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model });

    expect(desk.ledger.refunds).toHaveLength(0);
    expect(approved.status).toBe("failed");
    expect(approved.error?.code).toBe("IDENTITY_TOKEN_EXPIRED");
    expect(approved.error?.message).toContain("expired at");
    expect((await runtime.getRun(outcome.threadId)).status).toBe("failed");
    const stopped = auditOf(runtime, outcome.threadId, "identity", "stopped");
    expect(stopped).toHaveLength(1);
    expect(stopped[0]?.data).toMatchObject({
      code: "IDENTITY_TOKEN_EXPIRED",
      jti: principal.delegation?.jti,
    });
    expect(auditOf(runtime, outcome.threadId, "execution")).toHaveLength(0);

    // Nothing brings it back: neither another decision nor recovery runs the refund.
    await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model }).catch(() => undefined);
    await runtime.recover(desk.workflow, outcome.threadId, { model }).catch(() => undefined);
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it("DL-2 the same approval inside the delegation's lifetime refunds once (the check is not a blanket refusal)", async () => {
    const { outcome, model } = await waitingForApproval(await delegation("5m"));
    clock += 4 * MINUTE;
    const approved = await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model });
    expect(approved.status).toBe("completed");
    expect(desk.ledger.refunds).toHaveLength(1);
  });

  it("DL-3 the expiry instant itself is already too late", async () => {
    const { outcome, model } = await waitingForApproval(await delegation(300));
    clock += 300_000;
    const approved = await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model });
    expect(approved.error?.code).toBe("IDENTITY_TOKEN_EXPIRED");
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it("DL-4 an agent acting on its own authority is not affected by the passing of time", async () => {
    const { outcome, model } = await waitingForApproval();
    expect((await runtime.getRun(outcome.threadId)).principal.delegation).toBeUndefined();
    // Two hours on: far past the 5 minutes a delegation would have lasted. decide() signs at
    // the runtime's clock, so the decision itself is fresh.
    clock += 120 * MINUTE;
    const approved = await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model });
    expect(approved.status).toBe("completed");
    expect(desk.ledger.refunds).toHaveLength(1);
  });
});

describe("a revoked delegation", () => {
  it("DL-5 revoked from another runtime on the store while the run waits: the approval refunds nothing", async () => {
    const { outcome, model } = await waitingForApproval(await delegation("1h"));
    const jti = (await runtime.getRun(outcome.threadId)).principal.delegation?.jti ?? "";

    // The operator's CLI opens the same store; its id may come back with other spacing and case.
    const operator = h.open();
    await operator.revokeDelegation(` ${jti.toUpperCase()} `, { reason: "user logged out", by: "user:ops" });

    const approved = await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model });
    expect(desk.ledger.refunds).toHaveLength(0);
    expect(approved.status).toBe("failed");
    expect(approved.error?.code).toBe("IDENTITY_TOKEN_REVOKED");
    expect(approved.error?.message).toContain("user logged out");
    expect(auditOf(runtime, "governor:kill-switch", "identity", "revoked")[0]?.data).toMatchObject({ jti });
  });

  it("DL-6 a revoked token cannot start a run, and another user's token is untouched", async () => {
    const revoked = await delegation("1h");
    const first = await waitingForApproval(revoked);
    await runtime.revokeDelegation(
      (await runtime.getRun(first.outcome.threadId)).principal.delegation?.jti ?? "",
    );

    const { model } = refundAttack("again", [refundCall({ orderId: "A-1002", amount: 1200 })]);
    const refused = await rejection(
      runtime.start(desk.workflow, LAPTOP, { model, delegation: { token: revoked }, threadId: "second" }),
    );
    expect(refused.code).toBe("IDENTITY_TOKEN_REVOKED");
    expect(runtime.store.runs.get("second")).toBeUndefined();

    const fresh = await waitingForApproval(await delegation("1h"));
    const approved = await runtime.decide(desk.workflow, fresh.outcome.threadId, supervisor, {
      model: fresh.model,
    });
    expect(approved.status).toBe("completed");
    expect(desk.ledger.refunds).toHaveLength(1);
  });

  it("DL-7 a principal handed in through configurable cannot drop its own expiry to outlive it", async () => {
    // The run record is the source of truth for resume; a caller-built principal only narrows
    // the agent, so stripping `delegation` from it leaves at most the agent's own authority,
    // never the user's beyond their grant. This pins that the stored grant is what resume uses.
    const { outcome, model } = await waitingForApproval(await delegation("5m"));
    const stored = (await runtime.getRun(outcome.threadId)).principal;
    expect(stored.kind).toBe("delegated");
    expect(Date.parse(stored.delegation?.expiresAt ?? "")).toBe(clock + 5 * MINUTE);
    clock += HOUR;
    const approved = await runtime.decide(desk.workflow, outcome.threadId, supervisor, { model });
    expect(approved.error?.code).toBe("IDENTITY_TOKEN_EXPIRED");
    expect(desk.ledger.refunds).toHaveLength(0);
  });
});
