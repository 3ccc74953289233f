import fs from "node:fs";
import path from "node:path";
import { type GovernorRuntime, maskForDisplay, revealPendingRequest } from "@governor/core";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditOf, type Harness, harness, rejection } from "./support/harness.js";
import { LAPTOP, type RefundDesk, refundAttack, refundCall, refundDesk } from "./support/refund-desk.js";

/**
 * Personal data at rest: an e-mail address and a card number in a run's input and in the
 * model's tool arguments never reach the audit journal as they are. Records keep a masked
 * form and the SHA-256 of the real value (so they still prove what ran), `audit verify`
 * holds, displays show the masked form, and the real value is shown only to an approver
 * entitled to decide the request, with an audit record saying who saw what.
 */

const EMAIL = "dana.whitfield@example.com";
const CARD = "4242 4242 4242 4242";
// Every way the same values could be stored: as written, digits only, JSON-escaped.
const RAW = [EMAIL, CARD, CARD.replaceAll(" ", ""), "4242-4242-4242-4242", "4242.4242.4242.4242"];

const INPUT = { ...LAPTOP, request: `The laptop never arrived. Reach me at ${EMAIL}; I paid with ${CARD}.` };
const REASON = `refund to card 4242.4242.4242.4242, receipt to ${EMAIL}`;

let h: Harness;
let runtime: GovernorRuntime;
let desk: RefundDesk;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
  desk = refundDesk();
});
afterEach(() => h.cleanup());

async function waitingRefund() {
  const attack = refundAttack("pii", [refundCall({ orderId: "A-1002", amount: 1200, reason: REASON })]);
  const outcome = await runtime.start(desk.workflow, INPUT, { model: attack.model });
  expect(outcome.status).toBe("waiting");
  return { outcome, attack };
}

/** Every byte the store keeps on disk for the journal: the database file and its write-ahead log. */
function storeBytes(dir: string): string {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith("governor.db"))
    .map((name) => fs.readFileSync(path.join(dir, name)).toString("latin1"))
    .join("\n");
}

describe("personal data at rest", () => {
  it("PR-1 no raw e-mail or card reaches the audit journal, on any row or in the file; the chain verifies", async () => {
    const { outcome, attack } = await waitingRefund();
    await runtime.decide(
      desk.workflow,
      outcome.threadId,
      { approver: "supervisor:sam", decision: "approve" },
      {
        model: attack.model,
      },
    );
    expect(desk.ledger.refunds).toHaveLength(1);

    const records = auditOf(runtime, outcome.threadId);
    const text = JSON.stringify(records);
    for (const raw of RAW) expect(text).not.toContain(raw);
    // The records still say what ran: the masked form and the hash of the real value.
    const started = records.find((record) => record.kind === "run" && record.outcome === "started");
    const request = (started?.data.input as Record<string, unknown> | undefined)?.request as {
      $masked: string;
      hmac: string;
    };
    expect(request.$masked).toContain("[card ****4242]");
    expect(request.$masked).toContain("[email d***@example.com]");
    // Keyed under the store's audit key: the key's holder can check the real value, a reader
    // of the journal cannot guess a card back from its last four digits.
    const { createHash } = await import("node:crypto");
    expect(request.hmac).toBe(runtime.store.audit.valueDigest(INPUT.request));
    expect(JSON.stringify(records)).not.toContain(createHash("sha256").update(INPUT.request).digest("hex"));
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true });

    runtime.close();
    const db = new Database(path.join(h.dir, "governor.db"), { readonly: true });
    try {
      const rows = JSON.stringify(db.prepare("SELECT * FROM audit_records").all());
      expect(rows.length).toBeGreaterThan(1000);
      for (const raw of RAW) expect(rows).not.toContain(raw);
    } finally {
      db.close();
    }
    const bytes = storeBytes(h.dir);
    for (const raw of RAW) expect(bytes).not.toContain(raw);
  });

  it("PR-2 the pending list shows the request masked, and the run waits on the real call", async () => {
    const { outcome, attack } = await waitingRefund();

    const [pending] = await runtime.pending();
    const shown = JSON.stringify(maskForDisplay(pending?.request.args));
    for (const raw of RAW) expect(shown).not.toContain(raw);
    expect(shown).toContain("[card ****4242]");
    // The checkpoint still holds the real call: the approver decides what will really run.
    const real = await runtime.pendingApproval(desk.workflow, outcome.threadId, { model: attack.model });
    expect(real?.args.reason).toBe(REASON);
    expect(real?.callHash).toBe(pending?.request.callHash);
  });

  it("PR-3 an entitled approver may reveal the real arguments, and the reveal is audited", async () => {
    const { outcome, attack } = await waitingRefund();

    const revealed = await revealPendingRequest(runtime, desk.workflow, outcome.threadId, "supervisor:sam", {
      model: attack.model,
    });

    expect(revealed.request.args.reason).toBe(REASON);
    expect(revealed.fields).toEqual(["args.reason"]);
    const reveals = auditOf(runtime, outcome.threadId, "approval", "reveal");
    expect(reveals).toHaveLength(1);
    expect(reveals[0]).toMatchObject({ principal: "supervisor:sam", tool: "issue_refund" });
    expect(reveals[0]?.data).toMatchObject({
      fields: ["args.reason"],
      requestId: revealed.request.requestId,
    });
    // Revealing is not deciding: nothing ran.
    expect(desk.ledger.refunds).toHaveLength(0);
  });

  it.each([
    ["an approver without the request's scope", "finance:kim"],
    ["an agent's id that is no approver at all", "support"],
    ["a made-up approver", "root"],
  ])("PR-4 %s is refused, sees nothing, and the refusal is audited", async (_case, approver) => {
    const { outcome, attack } = await waitingRefund();

    const error = await rejection(
      revealPendingRequest(runtime, desk.workflow, outcome.threadId, approver, { model: attack.model }),
    );

    expect(error.code).toBe("APPROVAL_INVALID");
    for (const raw of RAW) expect(error.message).not.toContain(raw);
    expect(JSON.stringify(error.details)).not.toContain(EMAIL);
    expect(auditOf(runtime, outcome.threadId, "approval", "reveal")).toHaveLength(0);
    const refused = auditOf(runtime, outcome.threadId, "approval", "reveal-refused");
    expect(refused.map((record) => record.principal)).toEqual([approver]);
  });

  it("PR-5 a run waiting for nothing has nothing to reveal", async () => {
    const attack = refundAttack("small", [refundCall({ orderId: "A-1001", amount: 20, reason: REASON })]);
    const outcome = await runtime.start(
      desk.workflow,
      { ...INPUT, orderId: "A-1001" },
      { model: attack.model },
    );

    const error = await rejection(
      revealPendingRequest(runtime, desk.workflow, outcome.threadId, "supervisor:sam", {
        model: attack.model,
      }),
    );

    expect(error.code).toBe("RUN_NOT_INTERRUPTED");
  });
});
