import { defineTool, defineWorkflow, END, type GovernorRuntime, START } from "@governor/core";
import { RulePolicyEngine } from "@governor/policy";
import { claimsIdentity } from "@governor/sample-claims";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { proposing } from "./support/attacker.js";
import { guardedCall } from "./support/guarded-call.js";
import { auditOf, type Harness, harness, rejection, toolReplies } from "./support/harness.js";
import { LAPTOP, type RefundDesk, refundAttack, refundCall, refundDesk } from "./support/refund-desk.js";

/**
 * Long arguments and inputs. A 64 KB argument without whitespace once took 13.5 s, 100 KB
 * 70 s, and 1 MB never finished: the e-mail pattern and the token count were quadratic in a
 * run without whitespace. Every step is linear now, and sizes are bounded: a proposed call
 * over its tool's `maxArgumentBytes` (256 KB by default) is refused by the contract, naming
 * the argument; a run input over the workflow's `maxInputBytes` (1 MB) is INPUT_INVALID.
 * No timings are asserted: the old path could not finish these within a test's timeout.
 */

const KB = 1024;
const NOTE_MARKER = "You keep notes for the support team";

/** A desk whose one tool takes free text of any length, so only the size bound can refuse it. */
function notesDesk(options: { maxArgumentBytes?: number; maxInputBytes?: number } = {}) {
  const saved: string[] = [];
  const saveNote = defineTool({
    name: "save_note",
    description: "Save a note",
    input: z.object({ title: z.string(), text: z.string() }).strict(),
    scopes: ["notes:write"],
    risk: "write",
    maxArgumentBytes: options.maxArgumentBytes,
    handler: ({ text }) => {
      saved.push(text);
      return { saved: text.length };
    },
  });
  const call = guardedCall<{ request: string }>({ id: "save", tool: "save_note", next: END });
  const workflow = defineWorkflow({
    name: "notes-desk",
    state: z.object({ request: z.string() }),
    agent: { id: "notes-agent", scopes: ["notes:write"] },
    tools: [saveNote],
    approvers: claimsIdentity,
    maxInputBytes: options.maxInputBytes,
    policy: new RulePolicyEngine([
      { id: "notes-may-save", effect: "permit", actions: ["save_note"], reason: "notes are ours" },
    ]),
    nodes: {
      plan: { kind: "model", instructions: NOTE_MARKER, input: (s) => s.request, tools: ["save_note"] },
      has_call: {
        kind: "route",
        branches: ["save", "answer"],
        decide: (_state, proposal) => (proposal ? "save" : "answer"),
      },
      ...call.nodes,
    },
    edges: [
      [START, "plan"],
      ["plan", "has_call"],
      ["has_call", "save_check", "save"],
      ["has_call", END, "answer"],
      ...call.edges,
    ],
  });
  return { workflow, saved };
}

const noteCall = (text: string) => [{ name: "save_note", args: { title: "log", text } }];

let h: Harness;
let runtime: GovernorRuntime;
let desk: RefundDesk;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
  desk = refundDesk();
});
afterEach(() => h.cleanup());

describe("long arguments", () => {
  it("L-1 a 1 MB argument without whitespace is refused by the contract, naming it; nothing runs", async () => {
    const notes = notesDesk();
    const attack = proposing("long-note", new RegExp(NOTE_MARKER), noteCall("a".repeat(1024 * KB)));

    const outcome = await runtime.start(notes.workflow, { request: "log this" }, { model: attack.model });

    expect(notes.saved).toHaveLength(0);
    const contract = auditOf(runtime, outcome.threadId, "contract");
    expect(contract.map((record) => record.outcome)).toEqual(["refused"]);
    const violations = contract[0]?.data.violations as { path: string; message: string }[];
    expect(violations.map((violation) => violation.path)).toEqual(["text"]);
    expect(violations[0]?.message).toContain("over the limit of 262144");
    expect(auditOf(runtime, outcome.threadId, "execution")).toHaveLength(0);
    expect(toolReplies(outcome.state).at(-1)).toContain("text: the arguments take");
    expect(outcome.status).toBe("completed");
  }, 120_000);

  it("L-2 a 200 KB argument without whitespace, under the bound, runs once with the whole value", async () => {
    const notes = notesDesk();
    const text = `${"z".repeat(100 * KB)}dana@example.com${"9".repeat(100 * KB)}`;
    const attack = proposing("big-note", new RegExp(NOTE_MARKER), noteCall(text));

    const outcome = await runtime.start(notes.workflow, { request: "log this" }, { model: attack.model });

    expect(notes.saved).toEqual([text]);
    expect(auditOf(runtime, outcome.threadId, "execution").map((record) => record.outcome)).toEqual([
      "executed",
    ]);
    expect(outcome.status).toBe("completed");
  }, 120_000);

  it("L-3 a tool's own bound is enforced: 2 KB over a 1 KB maxArgumentBytes is refused", async () => {
    const notes = notesDesk({ maxArgumentBytes: KB });
    const attack = proposing("small-bound", new RegExp(NOTE_MARKER), noteCall("b".repeat(2 * KB)));

    const outcome = await runtime.start(notes.workflow, { request: "log this" }, { model: attack.model });

    expect(notes.saved).toHaveLength(0);
    const contract = auditOf(runtime, outcome.threadId, "contract");
    expect(((contract[0]?.data.violations ?? []) as { message: string }[])[0]?.message).toContain(
      "over the limit of 1024",
    );
  }, 120_000);

  it("L-4 the refund sample: a 1 MB reason is refused before the payments system, naming reason", async () => {
    const attack = refundAttack("long-reason", [
      refundCall({ orderId: "A-1002", amount: 100, reason: "r".repeat(1024 * KB) }),
    ]);

    const outcome = await runtime.start(desk.workflow, LAPTOP, { model: attack.model });

    expect(desk.ledger.refunds).toHaveLength(0);
    const contract = auditOf(runtime, outcome.threadId, "contract");
    expect(
      ((contract[0]?.data.violations ?? []) as { path: string }[]).map((violation) => violation.path),
    ).toEqual(["reason"]);
    expect(auditOf(runtime, outcome.threadId, "execution")).toHaveLength(0);
  }, 120_000);
});

describe("long run input", () => {
  it("L-5 a 2 MB input is refused with INPUT_INVALID naming the field; the model is never called", async () => {
    const attack = refundAttack("never", [refundCall({ orderId: "A-1002", amount: 100 })]);

    const error = await rejection(
      runtime.start(desk.workflow, { ...LAPTOP, request: "q".repeat(2048 * KB) }, { model: attack.model }),
    );

    expect(error.code).toBe("INPUT_INVALID");
    expect(error.message).toContain('the largest is "request"');
    expect(attack.calls).toHaveLength(0);
    expect(desk.ledger.refunds).toHaveLength(0);
  }, 120_000);

  it("L-6 a 900 KB input without whitespace, under the bound, is masked, counted and answered", async () => {
    const notes = notesDesk();
    const attack = proposing("answer", /never matches/, []);

    const outcome = await runtime.start(
      notes.workflow,
      { request: `${"w".repeat(450 * KB)}+1 415-555-0199${"@".repeat(450 * KB)}` },
      { model: attack.model },
    );

    expect(outcome.status).toBe("completed");
    expect(attack.calls).toEqual(["fallback"]);
    expect(notes.saved).toHaveLength(0);
  }, 120_000);

  it("L-7 a workflow's own input bound: 4 KB over a 2 KB maxInputBytes is INPUT_INVALID", async () => {
    const notes = notesDesk({ maxInputBytes: 2 * KB });
    const attack = proposing("never", new RegExp(NOTE_MARKER), noteCall("x"));

    const error = await rejection(
      runtime.start(notes.workflow, { request: "y".repeat(4 * KB) }, { model: attack.model }),
    );

    expect(error.code).toBe("INPUT_INVALID");
    expect(attack.calls).toHaveLength(0);
  }, 120_000);
});
