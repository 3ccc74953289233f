import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { createRefundSample, PROPOSE_MARKER } from "@governor/sample-refund";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { governorInProcess } from "./support/in-process.js";

// `governor pending` masks personal data in what a run waits for; `--reveal --approver ID`
// shows it to an approver entitled to decide the request, and to nobody else.
const EMAIL = "dana.whitfield@example.com";
const CARD = "4242 4242 4242 4242";
const REASON = `refund to card ${CARD}, receipt to ${EMAIL}`;

/** The CLI in this process, its output as one string per stream. */
async function governor(...args: string[]) {
  const { code, out, err } = await governorInProcess(...args);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let dir: string;
let threadId: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "governor-pending-reveal-"));
  const model = new ScenarioChatModel(
    defineScenario({
      name: "pii-refund",
      turns: [
        {
          when: { system: new RegExp(PROPOSE_MARKER) },
          reply: {
            text: "Refunding.",
            toolCalls: [{ name: "issue_refund", args: { orderId: "A-1002", amount: 1200, reason: REASON } }],
          },
        },
      ],
    }),
  );
  const runtime = new GovernorRuntime({ dir });
  try {
    const outcome = await runtime.start(
      createRefundSample().workflow,
      { customerId: "C-100", orderId: "A-1002", request: `Laptop never came. ${EMAIL}` },
      { model, source: "sample:refund" },
    );
    expect(outcome.status).toBe("waiting");
    threadId = outcome.threadId;
  } finally {
    runtime.close();
  }
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function reveals(): { outcome: string; principal?: string }[] {
  const runtime = new GovernorRuntime({ dir });
  try {
    return runtime.store.audit
      .list(threadId)
      .filter((record) => record.outcome.startsWith("reveal"))
      .map((record) => ({ outcome: record.outcome, principal: record.principal }));
  } finally {
    runtime.close();
  }
}

describe("governor pending", () => {
  it("lists the waiting request with the card and e-mail masked, as text and as JSON", async () => {
    const text = await governor("pending", "--dir", dir);
    const json = await governor("pending", "--json", "--dir", dir);

    for (const output of [text, json]) {
      expect(output.code, output.err).toBe(0);
      expect(output.out).toContain(threadId);
      expect(output.out).toContain("[card ****4242]");
      expect(output.out).not.toContain(CARD);
      expect(output.out).not.toContain(EMAIL);
    }
    expect(reveals()).toEqual([]);
  }, 120_000);

  it("--reveal shows the real arguments to an entitled approver, and audits it", async () => {
    const shown = await governor(
      "pending",
      threadId,
      "--reveal",
      "--approver",
      "supervisor:sam",
      "--dir",
      dir,
    );

    expect(shown.code, shown.err).toBe(0);
    expect(shown.out).toContain(REASON);
    expect(shown.out).toContain("revealed: args.reason");
    expect(reveals()).toEqual([{ outcome: "reveal", principal: "supervisor:sam" }]);
  }, 120_000);

  it("--reveal refuses an approver who may not decide the request, and one who gives no id", async () => {
    const refused = await governor(
      "pending",
      threadId,
      "--reveal",
      "--approver",
      "finance:kim",
      "--dir",
      dir,
    );
    const anonymous = await governor("pending", threadId, "--reveal", "--dir", dir);

    for (const output of [refused, anonymous]) {
      expect(output.code).not.toBe(0);
      expect(`${output.out}${output.err}`).not.toContain(CARD);
      expect(`${output.out}${output.err}`).not.toContain(EMAIL);
    }
    expect(refused.err).toContain("APPROVAL_INVALID");
    expect(reveals()).toEqual([{ outcome: "reveal-refused", principal: "finance:kim" }]);
  }, 120_000);
});
