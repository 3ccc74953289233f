import { type AuditKind, SqliteAuditJournal } from "@governor/observability";
import { afterEach, describe, expect, it, vi } from "vitest";
import { idempotencyKey } from "../gateway/call-hash.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { GateRecord } from "../graph/governor-channel.js";
import { unrecordedDecision } from "./recorded-decision.js";

const threadId = "t";
const call = {
  id: "call-7",
  tool: "refund",
  args: { amount: 5 },
  callIndex: 7,
  proposedBy: "model",
} as ProposedCall;
const gate = { node: "gate", effect: "allow", callHash: "h7", callId: call.id } as unknown as GateRecord;
const input = (audit: SqliteAuditJournal) => ({
  audit,
  threadId,
  action: "act",
  tool: "refund",
  preconditions: ["check"],
  call,
  gate,
  args: call.args,
});

afterEach(() => vi.restoreAllMocks());

/** The records a run holds once `callId` was checked and allowed. */
function decide(audit: SqliteAuditJournal, callId: string, callHash = "h7") {
  const record = (kind: AuditKind, outcome: string, node: string, data: Record<string, unknown> = {}) =>
    audit.append({ threadId, kind, outcome, node, tool: "refund", data: { callId, ...data } });
  record("precondition", "pass", "check");
  record("policy", "allow", "gate", { callHash });
}

describe("unrecordedDecision", () => {
  it("vouches for a decided call in a run of 10k records by reading only that call's records", async () => {
    const audit = new SqliteAuditJournal(":memory:");
    for (let i = 0; i < 5_000; i++) decide(audit, `other-${i}`);
    decide(audit, call.id);
    const list = vi.spyOn(audit, "list");
    const parse = vi.spyOn(JSON, "parse");
    expect(await unrecordedDecision(input(audit))).toBeUndefined();
    expect(list).not.toHaveBeenCalled();
    // One parse per record read: the call's two, not the run's ten thousand.
    expect(parse.mock.calls.length).toBe(2);
    audit.close();
  });

  it("refuses a call whose decisions are on record only for other calls or another hash", async () => {
    const audit = new SqliteAuditJournal(":memory:");
    decide(audit, "another-call");
    expect(await unrecordedDecision(input(audit))).toBe("no pass by precondition check is on record for it");
    decide(audit, call.id, "another-hash");
    expect(await unrecordedDecision(input(audit))).toBe('no "allow" by gate for this call hash is on record');
    audit.close();
  });

  it("refuses a call that already ran under another idempotency key, and not one that ran under its own", async () => {
    const audit = new SqliteAuditJournal(":memory:");
    decide(audit, call.id);
    const own = idempotencyKey(threadId, "act", call.callIndex, call.args);
    const ran = (idempotencyKey: string) =>
      audit.append({
        threadId,
        kind: "execution",
        outcome: "executed",
        node: "act",
        tool: "refund",
        data: { callId: call.id, idempotencyKey },
      });
    ran(own);
    expect(await unrecordedDecision(input(audit))).toBeUndefined();
    ran("edited-call-index");
    expect(await unrecordedDecision(input(audit))).toBe("it already ran under another idempotency key");
    audit.close();
  });

  it("refuses a call in a run with nothing on record", async () => {
    const audit = new SqliteAuditJournal(":memory:");
    expect(await unrecordedDecision(input(audit))).toBe("no pass by precondition check is on record for it");
    audit.close();
  });
});
