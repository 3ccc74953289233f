import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { governorOnTempStore } from "./support/governor-bin.js";

// The real `governor` binary, one process per command, as a user runs it: a run started by
// one process is answered by another. Needs the build (npm test runs tsc -b first).
const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));
const cli = governorOnTempStore();
const governor = cli.governor;
const dir = cli.dir;

function pendingThreads(): { threadId: string; request: { tool: string; args: { amount: number } } }[] {
  return JSON.parse(governor("pending", "--json").out);
}

afterAll(() => cli.dispose());

describe("governor run refund", () => {
  let output: { code: number | null; out: string; err: string };
  beforeAll(() => {
    output = governor("run", "refund");
  });

  it("prints every governance step of the four cases and exits 0", () => {
    expect(output.err).toBe("");
    expect(output.code).toBe(0);
    expect(output.out).toContain('model proposes issue_refund {"orderId":"A-1001","amount":120');
    expect(output.out).toContain("precondition passed for issue_refund");
    expect(output.out).toContain(
      "policy: ALLOW — support agents may refund customers' orders [support-may-refund]",
    );
    expect(output.out).toContain("issue_refund executed");
  });

  it("stops the $1,200 refund at an approval request and leaves it waiting when no one is at the terminal", () => {
    expect(output.out).toContain(
      "policy: REQUIRE-APPROVAL — refunds above $500 need a supervisor's approval",
    );
    expect(output.out).toContain("approval requested: Refund $1200 on A-1002 for Dana Whitfield");
    expect(output.out).toContain("waiting for approval");
    const pending = pendingThreads();
    expect(pending).toHaveLength(1);
    expect(pending[0]?.request.args.amount).toBe(1200);
  });

  it("denies the flagged account with the policy's reason and refuses the malformed payload by contract", () => {
    expect(output.out).toContain(
      "policy: DENY — refunds to a flagged account are forbidden [no-refund-to-flagged-account]",
    );
    expect(output.out).toMatch(
      /precondition failed: Arguments for issue_refund were refused by its contract: amount:/,
    );
    // Exactly one refund ran in this process: the $120 one.
    expect(output.out.match(/issue_refund executed/g)).toHaveLength(1);
  });

  it("approves the waiting refund from another process, exactly once", () => {
    const [waiting] = pendingThreads();
    const approved = governor(
      "approve",
      waiting?.threadId ?? "",
      "--reason",
      "courier lost it",
      "--approver",
      "supervisor:sam",
    );
    expect(approved.code).toBe(0);
    expect(approved.out).toContain("approved by supervisor:sam: courier lost it");
    expect(approved.out).toContain(
      'issue_refund executed → {"refundId":"R-1","orderId":"A-1002","amount":1200}',
    );
    expect(pendingThreads()).toHaveLength(0);

    const again = governor("approve", waiting?.threadId ?? "");
    expect(again.code).toBe(1);
    expect(again.err).toContain("error [RUN_NOT_INTERRUPTED]");
    expect(again.out).not.toContain("executed");

    const show = governor("audit", "show", waiting?.threadId ?? "");
    expect(show.out).toMatch(/approval\s+approved\s+refund_approval/);
    expect(show.out).toMatch(/execution\s+executed\s+issue_refund/);
  });
});

describe("governor reject", () => {
  it("never runs a rejected refund and tells the customer", () => {
    const run = governor("run", "refund", "--case", "large-refund");
    expect(run.out).toContain("waiting for approval");
    const thread = run.out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";
    const notAllowed = governor("approve", thread, "--approver", "support:alex");
    expect(notAllowed.code).toBe(1);
    expect(notAllowed.err).toContain(
      "[APPROVAL_INVALID]: support:alex may not decide this request (it needs approvals:refunds). Approvers who may: supervisor:sam",
    );
    const rejected = governor(
      "reject",
      thread,
      "--reason",
      "no proof of loss",
      "--approver",
      "supervisor:sam",
    );
    expect(rejected.code).toBe(0);
    expect(rejected.out).toContain("rejected by");
    expect(rejected.out).not.toContain("executed");
    expect(rejected.out).toContain("could not approve this refund");
  });
});

describe("bad input gets a typed error", () => {
  it("names the unknown sample and lists the known ones", () => {
    const result = governor("run", "refnud");
    expect(result.code).toBe(1);
    expect(result.err).toContain('error [SAMPLE_UNKNOWN]: No sample named "refnud". Samples: refund');
  });

  it("names an unknown case", () => {
    const result = governor("run", "refund", "--case", "huge");
    expect(result.code).toBe(1);
    expect(result.err).toContain('[SAMPLE_UNKNOWN]: Workflow "refund" has no case "huge"');
  });

  it("names each missing input field", () => {
    const result = governor("run", "refund", "--input", '{"customerId":"C-100"}');
    expect(result.code).toBe(1);
    expect(result.err).toContain("[INPUT_INVALID]");
    expect(result.err).toContain("orderId:");
    expect(result.err).toContain("request:");
  });

  it("refuses input that is not JSON", () => {
    const result = governor("run", "refund", "--input", "{oops");
    expect(result.code).toBe(1);
    expect(result.err).toContain("[INPUT_INVALID]: --input is not JSON");
  });

  it("refuses to approve a thread that does not exist", () => {
    const result = governor("approve", "no-such-thread");
    expect(result.code).toBe(1);
    expect(result.err).toContain("[RUN_NOT_FOUND]");
  });

  it("exits 2 on a usage error", () => {
    expect(governor("approve").code).toBe(2);
  });
});

describe("governor graph and validate", () => {
  it("draws the refund graph with its governance nodes and outcome edges", () => {
    const result = governor("graph", "refund");
    expect(result.code).toBe(0);
    expect(result.out).toContain("graph TD;");
    for (const edge of [
      "check_refund -. &nbsp;pass&nbsp; .-> refund_gate",
      "refund_gate -. &nbsp;approval&nbsp; .-> refund_approval",
      "refund_approval -. &nbsp;approved&nbsp; .-> issue_refund",
    ]) {
      expect(result.out).toContain(edge);
    }
  });

  it("accepts the README's example workflow as printed", () => {
    const result = governor("validate", join(fixtures, "readme-workflow.ts"));
    expect(result.out).toContain('✓ workflow "refund" is valid (5 nodes, 10 edges)');
    expect(result.code).toBe(0);
  });

  it("lists every defect of a broken workflow with its code and where it is", () => {
    const result = governor("validate", join(fixtures, "broken-workflow.ts"));
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      '[WORKFLOW_UNKNOWN_NODE] edges[10].to: (approve → nowhere on "rejected"): no node named "nowhere"',
    );
    expect(result.err).toMatch(
      /\[WORKFLOW_CYCLE\] nodes\.\w+: nodes (again → retry|retry → again) form a cycle/,
    );
    expect(result.err).toContain(
      "[WORKFLOW_UNGUARDED_ACTION] nodes.wipe: action wipe can be reached without passing its policy gate (gate): __start__ → plan → check → wipe",
    );
  });

  it("reports a module that cannot be loaded", () => {
    const result = governor("validate", join(fixtures, "missing.ts"));
    expect(result.code).toBe(1);
    expect(result.err).toContain("[WORKFLOW_LOAD_FAILED]");
  });
});

describe("governor audit verify", () => {
  it("passes on the untouched journal and names the record an attacker changed", () => {
    expect(governor("audit", "verify").out).toMatch(/✓ audit chain intact: \d+ records/);
    const db = new Database(join(dir, "governor.db"));
    db.prepare("UPDATE audit_records SET outcome = 'allow' WHERE seq = 5").run();
    db.close();
    const broken = governor("audit", "verify");
    expect(broken.code).toBe(1);
    expect(broken.err).toContain(
      "✗ audit chain broken at record 5: record 5 was changed after it was written",
    );
  });
});
