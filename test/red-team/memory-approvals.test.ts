import { hs256Keys, signApprovalDecision } from "@governor/identity";
import type { MemoryEvent } from "@governor/memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  acme,
  approvers,
  assertion,
  currentOf,
  decision,
  type MemoryFixture,
  memoryFixture,
  memoryKeys,
  planner,
  rejected,
  retraction,
  router,
  writeAs,
} from "./support/memory-fixture.js";

/**
 * Approval misuse on memory writes: the planner (weight 40) wants to replace the director's
 * mandate (weight 90), which waits for a signed approval. Every answer that does not hold for
 * exactly this proposal, now, is refused and writes nothing; the mandate stays current and the
 * proposal keeps waiting (or is closed as stale). Effects counted: the facts table and the
 * proposals' status.
 */

let f: MemoryFixture;
let pending: MemoryEvent;
beforeEach(() => {
  f = memoryFixture();
  writeAs(f, [assertion("Carrier X")]);
  f.tick();
  const [event] = f.store.writeNow({ principal: router, threadId: "t-1", node: "remember" }, [
    assertion("Carrier Z", { authority: planner }),
  ]);
  if (!event?.approval) throw new Error("the planner's overwrite should wait for an approval");
  pending = event;
  f.tick();
});
afterEach(() => f.close());

/** Nothing was written by the refused answer: the mandate stands and the proposal still waits. */
function stillWaiting() {
  expect(currentOf(f)).toEqual(["zone B.carrier=Carrier X"]);
  expect(f.rows()).toHaveLength(1);
  expect(f.proposals().map((p) => p.status)).toEqual(["pending"]);
  expect(f.store.pending(router, acme).map((p) => p.requestId)).toEqual([pending.approval?.requestId]);
}

describe("memory approvals: a decision holds only for its own proposal", () => {
  it("MP-1 a decision signed for another proposal (its call hash, its request id) is refused", async () => {
    const request = pending.approval;
    if (!request) throw new Error("no request");
    const forOtherCall = await signApprovalDecision(memoryKeys, {
      approver: "sam",
      decision: "approve",
      request: { ...request, callHash: "0".repeat(64) },
      now: f.clock,
    });
    expect((await rejected(f.store.decide(forOtherCall, { approvers }))).code).toBe("APPROVAL_INVALID");
    const forOtherRequest = await signApprovalDecision(memoryKeys, {
      approver: "sam",
      decision: "approve",
      request: { ...request, requestId: "memapr_not-a-request" },
      now: f.clock,
    });
    expect((await rejected(f.store.decide(forOtherRequest, { approvers }))).code).toBe("APPROVAL_INVALID");
    const forOtherNode = await signApprovalDecision(memoryKeys, {
      approver: "sam",
      decision: "approve",
      request: { ...request, node: "elsewhere" },
      now: f.clock,
    });
    expect((await rejected(f.store.decide(forOtherNode, { approvers }))).code).toBe("APPROVAL_INVALID");
    stillWaiting();
  });

  it("MP-2 a decision for a second proposal on the same key does not apply the first one", async () => {
    const [second] = writeAs(f, [assertion("Carrier Q", { authority: { by: "analyst", weight: 50 } })]);
    const token = await decision(f, second?.approval);
    const applied = await f.store.decide(token, { approvers });
    expect(applied).toMatchObject({ status: "applied", record: { value: "Carrier Q" } });
    // The first proposal was made against the director's record, which is gone: it is stale, never applied.
    const late = await decision(f, pending.approval);
    expect((await rejected(f.store.decide(late, { approvers }))).code).toBe("MEMORY_PROPOSAL_STALE");
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier Q"]);
    expect(f.rows().map((row) => row.value)).toEqual(['"Carrier X"', '"Carrier Q"']);
    expect(f.doubleActive()).toEqual([]);
  });

  it("MP-3 a used decision replayed is refused and writes nothing more", async () => {
    const token = await decision(f, pending.approval);
    await f.store.decide(token, { approvers });
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier Z"]);
    const rows = f.rows().length;
    expect((await rejected(f.store.decide(token, { approvers }))).code).toBe("APPROVAL_INVALID");
    expect(f.rows()).toHaveLength(rows);
    expect(f.memoryAudit().filter((outcome) => outcome === "approved")).toHaveLength(1);
  });

  it("MP-4 a rejection, then an approval of the same proposal: the approval is refused", async () => {
    const no = await decision(f, pending.approval, "reject");
    expect(await f.store.decide(no, { approvers })).toMatchObject({ status: "refused" });
    const yes = await decision(f, pending.approval, "approve");
    expect((await rejected(f.store.decide(yes, { approvers }))).code).toBe("APPROVAL_INVALID");
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier X"]);
    expect(f.proposals().map((p) => p.status)).toEqual(["rejected"]);
    expect(f.store.pending(router, acme)).toEqual([]);
  });

  it("MP-5 an approval after the key changed is stale: nothing written, the proposal closed, audited", async () => {
    writeAs(f, [assertion("Carrier Y")]);
    f.tick();
    const token = await decision(f, pending.approval);
    expect((await rejected(f.store.decide(token, { approvers }))).code).toBe("MEMORY_PROPOSAL_STALE");
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier Y"]);
    expect(f.proposals().map((p) => p.status)).toEqual(["stale"]);
    expect(f.memoryAudit()).toContain("stale");
    // And the same decision again is not a second chance.
    expect((await rejected(f.store.decide(token, { approvers }))).code).toBe("APPROVAL_INVALID");
  });

  it("MP-6 an approval after the key was retracted and set again to the same value is still stale", async () => {
    writeAs(f, [retraction()]);
    f.tick();
    writeAs(f, [assertion("Carrier X")]);
    f.tick();
    const token = await decision(f, pending.approval);
    expect((await rejected(f.store.decide(token, { approvers }))).code).toBe("MEMORY_PROPOSAL_STALE");
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier X"]);
  });

  it("MP-7 forged tokens: another key, no signature, garbage, an empty string", async () => {
    const request = pending.approval;
    if (!request) throw new Error("no request");
    const otherKeys = hs256Keys("an-attacker-secret-that-is-also-long-enough-0123456789");
    const forged = await signApprovalDecision(otherKeys, {
      approver: "sam",
      decision: "approve",
      request,
      now: f.clock,
    });
    const genuine = await decision(f, request);
    const [header = "", payload = ""] = genuine.split(".");
    const unsigned = `${header}.${payload}.`;
    const noneAlg = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    for (const token of [forged, unsigned, noneAlg, "not-a-token", "", `${header}.${payload}.AAAA`]) {
      const error = await rejected(f.store.decide(token, { approvers }));
      expect(["APPROVAL_INVALID", "IDENTITY_TOKEN_INVALID"]).toContain(error.code);
    }
    stillWaiting();
  });

  it("MP-8 an approver not in the registry, or without the required scope, is refused", async () => {
    const stranger = await decision(f, pending.approval, "approve", "mallory");
    expect((await rejected(f.store.decide(stranger, { approvers }))).code).toBe("APPROVAL_INVALID");
    const registry = {
      findApprover: (id: string) =>
        id === "sam" ? { id, scopes: ["approvals:refunds"], roles: ["supervisor"] } : undefined,
    };
    const sam = await decision(f, pending.approval);
    expect(
      (await rejected(f.store.decide(sam, { approvers: registry, requiredScope: "memory:approve:acme" })))
        .code,
    ).toBe("APPROVAL_INVALID");
    stillWaiting();
  });

  it("MP-9 an expired decision, and one issued in the future, are refused", async () => {
    const request = pending.approval;
    if (!request) throw new Error("no request");
    const old = await signApprovalDecision(memoryKeys, {
      approver: "sam",
      decision: "approve",
      request,
      now: new Date(f.clock.getTime() - 60 * 60_000),
      expiresIn: "10m",
    });
    expect((await rejected(f.store.decide(old, { approvers }))).code).toMatch(/IDENTITY_TOKEN/);
    const future = await signApprovalDecision(memoryKeys, {
      approver: "sam",
      decision: "approve",
      request,
      now: new Date(f.clock.getTime() + 60 * 60_000),
    });
    expect((await rejected(f.store.decide(future, { approvers }))).code).toMatch(/IDENTITY_TOKEN/);
    stillWaiting();
  });

  it("MP-10 two approvals of one proposal raced: exactly one applies", async () => {
    const a = await decision(f, pending.approval);
    const b = await decision(f, pending.approval);
    const results = await Promise.allSettled([
      f.store.decide(a, { approvers }),
      f.store.decide(b, { approvers }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(f.rows().filter((row) => row.value === '"Carrier Z"')).toHaveLength(1);
    expect(f.doubleActive()).toEqual([]);
    expect(f.audit.verify().ok).toBe(true);
  });

  it("MP-11 a retraction waiting for approval, approved after the key was superseded, is stale", async () => {
    const [retract] = writeAs(f, [retraction({ authority: planner })]);
    expect(retract?.status).toBe("pending-approval");
    writeAs(f, [assertion("Carrier W")]);
    const token = await decision(f, retract?.approval);
    expect((await rejected(f.store.decide(token, { approvers }))).code).toBe("MEMORY_PROPOSAL_STALE");
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier W"]);
  });
});

describe("memory approvals: the approver's inbox", () => {
  it("MP-12 the same lower-authority change proposed again and again waits as one request, applied once", async () => {
    const again = [1, 2, 3, 4].map(() => {
      f.tick();
      const [event] = f.store.writeNow({ principal: router, threadId: "t-1", node: "remember" }, [
        assertion("Carrier Z", { authority: planner }),
      ]);
      return event?.approval?.requestId;
    });
    expect(new Set([pending.approval?.requestId, ...again]).size).toBe(1);
    expect(f.store.pending(router, acme)).toHaveLength(1);
    await f.store.decide(await decision(f, pending.approval), { approvers });
    expect(currentOf(f)).toEqual(["zone B.carrier=Carrier Z"]);
    expect(f.rows().filter((row) => row.value === '"Carrier Z"')).toHaveLength(1);
  });

  it("MP-13 a different change, or the same change against a newer record, is its own request", () => {
    const [other] = writeAs(f, [assertion("Carrier Q", { authority: planner })]);
    expect(other?.approval?.requestId).not.toBe(pending.approval?.requestId);
    expect(f.store.pending(router, acme)).toHaveLength(2);
  });
});
