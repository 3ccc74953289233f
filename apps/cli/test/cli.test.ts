import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI_TEST_MS, type GovernorResult, governorOnTempStore } from "./support/governor-bin.js";

// The real `governor` binary, one process per command, as a user runs it: a run started by
// one process is answered by another. Needs the build (npm test runs tsc -b first).
// Every test has its own fresh store and starts the runs it needs, so each runs alone
// (`vitest run apps/cli/test/cli.test.ts -t "<name>"`) and in any order.
const fixtures = fileURLToPath(new URL("./fixtures", import.meta.url));

let cli: ReturnType<typeof governorOnTempStore>;
let governor: (...args: string[]) => GovernorResult;
beforeEach(() => {
  cli = governorOnTempStore();
  governor = cli.governor;
});
afterEach(() => cli.dispose());

function pendingThreads(): { threadId: string; request: { tool: string; args: { amount: number } } }[] {
  return JSON.parse(governor("pending", "--json").out);
}

/** The lines `governor run` printed for one case: from its `━━ name` header to the next one. */
function caseOutput(out: string, name: string): string {
  const sections = out.split(/^━━ /m).slice(1);
  const section = sections.find((text) => text.startsWith(`${name} — `));
  if (!section) throw new Error(`no case ${name} in the output:\n${out}`);
  return section;
}

/** Each pattern matches a line of `text`, and in this order. */
function expectInOrder(text: string, patterns: readonly (string | RegExp)[]) {
  const lines = text.split("\n");
  let from = 0;
  for (const pattern of patterns) {
    const at = lines.findIndex(
      (line, index) =>
        index >= from && (typeof pattern === "string" ? line.includes(pattern) : pattern.test(line)),
    );
    expect(at, `${String(pattern)} after line ${from} of:\n${text}`).toBeGreaterThanOrEqual(0);
    from = at + 1;
  }
}

/** The thread id `governor run` printed. */
const threadOf = (out: string) => out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";

/** Rows of the store's audit journal, straight from the SQLite file. */
function auditRows(): { seq: number; kind: string; outcome: string; tool: string | null }[] {
  const db = new Database(join(cli.dir, "governor.db"), { readonly: true });
  try {
    return db.prepare("SELECT seq, kind, outcome, tool FROM audit_records ORDER BY seq").all() as ReturnType<
      typeof auditRows
    >;
  } finally {
    db.close();
  }
}

describe("governor run refund", () => {
  it(
    "prints every governance step of the five cases and exits 0",
    () => {
      const output = governor("run", "refund");
      expect(output.err).toBe("");
      expect(output.code, output.err).toBe(0);
      expect(output.out.match(/^━━ /gm)).toHaveLength(5);

      expectInOrder(caseOutput(output.out, "small-refund"), [
        'model proposes issue_refund {"orderId":"A-1001","amount":120',
        "precondition passed for issue_refund",
        "policy: ALLOW — support agents may refund customers' orders [support-may-refund]",
        'issue_refund executed → {"refundId":"R-1","orderId":"A-1001","amount":120}',
        "✓ completed",
      ]);
      expectInOrder(caseOutput(output.out, "large-refund"), [
        'model proposes issue_refund {"orderId":"A-1002","amount":1200',
        "precondition passed for issue_refund",
        "policy: REQUIRE-APPROVAL — refunds above $500 need a supervisor's approval [refund-over-limit-needs-approval]",
        "approval requested: Refund $1200 on A-1002 for Dana Whitfield",
        "waiting for approval",
      ]);
      expectInOrder(caseOutput(output.out, "flagged-account"), [
        'model proposes issue_refund {"orderId":"A-3001","amount":80',
        "precondition passed for issue_refund",
        "policy: DENY — refunds to a flagged account are forbidden [no-refund-to-flagged-account]",
        "■ completed, but no governed action was taken · issue_refund denied by policy",
      ]);
      expectInOrder(caseOutput(output.out, "delegated-user"), [
        "acting for user U-7 (delegated scopes: orders:read)",
        'model proposes issue_refund {"orderId":"A-1001","amount":40',
        "refused issue_refund: agent:support/user:U-7 lacks scope refunds:write (IDENTITY_SCOPE)",
        "route → answer",
        "■ completed, but no governed action was taken · issue_refund refused",
      ]);
      expectInOrder(caseOutput(output.out, "malformed-amount"), [
        'model proposes issue_refund {"orderId":"A-1001","amount":"everything they paid"',
        /precondition failed: Arguments for issue_refund were refused by its contract: amount:/,
        "■ completed, but no governed action was taken · issue_refund precondition failed",
      ]);

      // Only the small refund ran; the others stopped at approval, policy, identity or contract.
      for (const name of ["large-refund", "flagged-account", "delegated-user", "malformed-amount"]) {
        expect(caseOutput(output.out, name)).not.toContain("executed");
      }
      expect(output.out.match(/issue_refund executed →/g)).toHaveLength(1);
      expect(
        auditRows()
          .filter((row) => row.kind === "execution")
          .map((row) => row.outcome),
      ).toEqual(["executed"]);
    },
    CLI_TEST_MS,
  );

  it(
    "stops the 1,200-dollar refund at an approval request and leaves it waiting when no one is at the terminal",
    () => {
      const run = governor("run", "refund", "--case", "large-refund");
      expect(run.code, run.err).toBe(0);
      expect(run.out).toContain("waiting for approval");
      const pending = pendingThreads();
      expect(pending).toHaveLength(1);
      expect(pending[0]?.threadId).toBe(threadOf(run.out));
      expect(pending[0]?.request).toMatchObject({ tool: "issue_refund", args: { amount: 1200 } });
      expect(auditRows().some((row) => row.kind === "execution")).toBe(false);
    },
    CLI_TEST_MS,
  );

  it(
    "approves the waiting refund from another process, exactly once",
    () => {
      const run = governor("run", "refund", "--case", "large-refund");
      expect(run.code, run.err).toBe(0);
      const thread = threadOf(run.out);
      expect(pendingThreads().map((entry) => entry.threadId)).toEqual([thread]);

      const approved = governor(
        "approve",
        thread,
        "--reason",
        "courier lost it",
        "--approver",
        "supervisor:sam",
      );
      expect(approved.code, approved.err).toBe(0);
      expect(approved.out).toContain("approved by supervisor:sam: courier lost it");
      expect(approved.out).toContain(
        'issue_refund executed → {"refundId":"R-1","orderId":"A-1002","amount":1200}',
      );
      expect(pendingThreads()).toHaveLength(0);

      const again = governor("approve", thread, "--approver", "supervisor:sam");
      expect(again.code).toBe(1);
      expect(again.err).toContain("error [RUN_NOT_INTERRUPTED]");
      expect(again.out).not.toContain("executed");

      const show = governor("audit", "show", thread);
      expect(show.out).toMatch(/approval\s+approved\s+refund_approval/);
      expect(show.out).toMatch(/execution\s+executed\s+issue_refund/);
      expect(
        auditRows()
          .filter((row) => row.kind === "execution")
          .map((row) => row.outcome),
      ).toEqual(["executed"]);
    },
    CLI_TEST_MS,
  );
});

describe("governor reject", () => {
  it(
    "never runs a rejected refund and tells the customer",
    () => {
      const run = governor("run", "refund", "--case", "large-refund");
      expect(run.out).toContain("waiting for approval");
      const thread = threadOf(run.out);
      const notAllowed = governor("approve", thread, "--approver", "support:alex");
      expect(notAllowed.code).toBe(1);
      expect(notAllowed.err).toContain(
        "[APPROVAL_INVALID]: Refused: support:alex lacks the scope approvals:refunds this request needs. Approvers who may: supervisor:sam",
      );
      const rejected = governor(
        "reject",
        thread,
        "--reason",
        "no proof of loss",
        "--approver",
        "supervisor:sam",
      );
      expect(rejected.code, rejected.err).toBe(0);
      expect(rejected.out).toContain("rejected by");
      expect(rejected.out).not.toContain("executed");
      expect(rejected.out).toContain("could not approve this refund");
      expect(auditRows().some((row) => row.kind === "execution")).toBe(false);
    },
    CLI_TEST_MS,
  );
});

describe("bad input gets a typed error", () => {
  it(
    "names the unknown sample and lists the known ones",
    () => {
      const result = governor("run", "refnud");
      expect(result.code).toBe(1);
      expect(result.err).toContain('error [SAMPLE_UNKNOWN]: No sample or registered workflow named "refnud"');
      expect(result.err).toContain("Known: refund, claims, mailbox");
    },
    CLI_TEST_MS,
  );

  it(
    "names an unknown case",
    () => {
      const result = governor("run", "refund", "--case", "huge");
      expect(result.code).toBe(1);
      expect(result.err).toContain('[SAMPLE_UNKNOWN]: Workflow "refund" has no case "huge"');
    },
    CLI_TEST_MS,
  );

  it(
    "names each missing input field",
    () => {
      const result = governor("run", "refund", "--input", '{"customerId":"C-100"}');
      expect(result.code).toBe(1);
      expect(result.err).toContain("[INPUT_INVALID]");
      expect(result.err).toContain("orderId:");
      expect(result.err).toContain("request:");
    },
    CLI_TEST_MS,
  );

  it(
    "refuses input that is not JSON",
    () => {
      const result = governor("run", "refund", "--input", "{oops");
      expect(result.code).toBe(1);
      expect(result.err).toContain("[INPUT_INVALID]: --input is not JSON");
    },
    CLI_TEST_MS,
  );

  it(
    "refuses to approve a thread that does not exist",
    () => {
      // On a store that exists (a missing store is STORE_NOT_FOUND: see newcomer-store-dir).
      expect(governor("run", "refund", "--case", "small-refund").code).toBe(0);
      const result = governor("approve", "no-such-thread");
      expect(result.code).toBe(1);
      expect(result.err).toContain("[RUN_NOT_FOUND]");
    },
    CLI_TEST_MS,
  );

  it(
    "exits 2 on a usage error",
    () => {
      expect(governor("approve").code).toBe(2);
    },
    CLI_TEST_MS,
  );
});

describe("governor graph and validate", () => {
  it(
    "draws the refund graph with its governance nodes and outcome edges",
    () => {
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
    },
    CLI_TEST_MS,
  );

  it(
    "accepts the README's example workflow as printed",
    () => {
      const result = governor("validate", join(fixtures, "readme-workflow.ts"));
      expect(result.out).toContain('✓ workflow "refund" is valid (5 nodes, 10 edges)');
      expect(result.code).toBe(0);
    },
    CLI_TEST_MS,
  );

  it(
    "lists every defect of a broken workflow with its code and where it is",
    () => {
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
    },
    CLI_TEST_MS,
  );

  it(
    "reports a module that cannot be loaded",
    () => {
      const result = governor("validate", join(fixtures, "missing.ts"));
      expect(result.code).toBe(1);
      expect(result.err).toContain("[WORKFLOW_LOAD_FAILED]");
    },
    CLI_TEST_MS,
  );
});

describe("governor audit verify", () => {
  it(
    "passes on the untouched journal with its record count and names the record an attacker changed",
    () => {
      expect(governor("run", "refund", "--case", "small-refund").code).toBe(0);
      const rows = auditRows();
      expect(rows.length).toBeGreaterThan(5);

      const intact = governor("audit", "verify");
      expect(intact.code).toBe(0);
      expect(intact.out).toContain(`✓ audit chain intact: ${rows.length} records`);

      // The policy's allow becomes a deny in the file: the verifier must name that record.
      const policy = rows.find((row) => row.kind === "policy");
      if (!policy) throw new Error("the small refund should have a policy record");
      const db = new Database(join(cli.dir, "governor.db"));
      db.prepare("UPDATE audit_records SET outcome = 'deny' WHERE seq = ?").run(policy.seq);
      db.close();
      const broken = governor("audit", "verify");
      expect(broken.code).toBe(1);
      expect(broken.err).toContain(
        `✗ audit chain broken at record ${policy.seq}: record ${policy.seq} was changed after it was written`,
      );
    },
    CLI_TEST_MS,
  );
});
