import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore, repoRoot } from "./support/governor-bin.js";

// Decisions a newcomer gets wrong, and what they read back: a refused approve, reject or
// budget grant exits 1, names who may decide and is in the audit journal; pending --json
// lists what the text lists; audit show names who decided and why. The real binary.
const cli = governorOnTempStore();
const governor = cli.governor;
const APPROVAL = "newcomer-decisions-approval";
const BUDGET = "newcomer-decisions-budget";
afterAll(() => cli.dispose());

interface AuditRecord {
  kind: string;
  outcome: string;
  principal?: string;
  data: Record<string, unknown>;
}
const journal = (thread: string): AuditRecord[] =>
  JSON.parse(governor("audit", "show", thread, "--json").out);

beforeAll(() => {
  const approval = governor(
    "run",
    "refund",
    "--case",
    "large-refund",
    "--thread",
    APPROVAL,
    "--no-interactive",
  );
  expect(approval.out).toContain(`waiting for approval · thread ${APPROVAL}`);
  const budget = governor(
    "run",
    "refund",
    "--case",
    "small-refund",
    "--thread",
    BUDGET,
    "--max-tokens",
    "150",
  );
  expect(budget.out).toContain("waiting for more budget");
}, CLI_TEST_MS);

describe("refused decisions", () => {
  it(
    "an approver who may not decide is refused (exit 1, who may instead), audited, and nothing is signed",
    () => {
      for (const [decision, approver] of [
        ["approve", "bob"],
        ["approve", "user:root"],
        ["reject", "finance:kim"],
      ] as const) {
        const result = governor(decision, APPROVAL, "--approver", approver, "--reason", "looks fine");
        expect(result.code, `${decision} as ${approver}`).toBe(1);
        expect(result.err).toContain(`error [APPROVAL_INVALID]: Refused: ${approver}`);
        expect(result.err).toContain("Approvers who may: supervisor:sam");
      }
      const refusals = journal(APPROVAL).filter((r) => r.kind === "approval" && r.outcome === "refused");
      expect(refusals.map((r) => [r.principal, r.data.via, r.data.decision, r.data.approverReason])).toEqual([
        ["bob", "cli", "approve", "looks fine"],
        ["user:root", "cli", "approve", "looks fine"],
        ["finance:kim", "cli", "reject", "looks fine"],
      ]);
      expect(journal(APPROVAL).some((r) => r.outcome === "approved" || r.outcome === "rejected")).toBe(false);
      expect(governor("pending", APPROVAL).out).toContain("Refund $1200 on A-1002");
    },
    CLI_TEST_MS,
  );

  it(
    "a budget grant by someone who may not extend budgets exits 1, names who may, and is audited",
    () => {
      const refused = governor("budget", BUDGET, "--extend-tokens", "1000", "--approver", "supervisor:sam");
      expect(refused.code).toBe(1);
      expect(refused.err).toContain(
        "error [APPROVAL_INVALID]: Refused: supervisor:sam lacks the scope budgets:extend",
      );
      expect(refused.err).toContain("Approvers who may: finance:kim");
      expect(refused.out).not.toContain("model says");
      const refusal = journal(BUDGET).filter((r) => r.kind === "budget" && r.outcome === "refused");
      expect(refusal.map((r) => [r.principal, r.data.via, r.data.decision])).toEqual([
        ["supervisor:sam", "cli", "extend"],
      ]);
      // Approving a run that waits for budget says what it waits for.
      const wrongCommand = governor("approve", BUDGET, "--approver", "supervisor:sam");
      expect(wrongCommand.code).toBe(1);
      expect(wrongCommand.err).toContain(
        `Run ${BUDGET} waits for more budget, not for an approval: answer it with governor budget ${BUDGET}`,
      );
    },
    CLI_TEST_MS,
  );
});

describe("what a newcomer reads back", () => {
  it(
    "pending --json lists the same runs as the text, budget requests included, each with its kind",
    () => {
      const text = governor("pending").out;
      const items: { kind: string; threadId: string }[] = JSON.parse(governor("pending", "--json").out);
      expect(items.map((item) => [item.kind, item.threadId]).sort()).toEqual([
        ["approval", APPROVAL],
        ["budget", BUDGET],
      ]);
      for (const item of items) expect(text).toContain(item.threadId);
      const one: { kind: string }[] = JSON.parse(governor("pending", BUDGET, "--json").out);
      expect(one.map((item) => item.kind)).toEqual(["budget"]);
    },
    CLI_TEST_MS,
  );

  it(
    "audit show prints who decided and their reason, refusals with why",
    () => {
      const approved = governor(
        "approve",
        APPROVAL,
        "--approver",
        "supervisor:sam",
        "--reason",
        "receipt checked",
      );
      expect(approved.code).toBe(0);
      const shown = governor("audit", "show", APPROVAL).out;
      expect(shown).toMatch(
        /approval\s+approved\s+refund_approval · issue_refund\n\s+by supervisor:sam · reason: receipt checked/,
      );
      expect(shown).toMatch(
        /approval\s+refused\s+issue_refund\n\s+by bob · reason: looks fine · refused: the CLI refused the decision: bob is not an approver/,
      );
    },
    CLI_TEST_MS,
  );

  it(
    "--version is the CLI package's; --help shows examples",
    () => {
      const { version } = JSON.parse(readFileSync(join(repoRoot, "apps/cli/package.json"), "utf8"));
      for (const flag of ["--version", "-V"]) {
        const printed = governor(flag);
        expect(printed.code).toBe(0);
        expect(printed.out.trim()).toBe(version);
      }
      const help = governor("--help").out;
      expect(help).toContain("Examples:");
      expect(help).toContain("governor approve <thread> --approver supervisor:sam");
      expect(governor("kill", "--help").out).toContain(
        'governor kill --agent support --reason "refund spree"',
      );
    },
    CLI_TEST_MS,
  );

  it(
    "a node name wider than its column does not run into the step's text",
    () => {
      const run = governor("run", "claims", "--case", "draft-assessment", "--no-interactive");
      expect(run.out).not.toMatch(/update_assessment update_assessment/);
      // The text starts on the next line at the column every other step's text starts at.
      const lines = run.out.split("\n");
      const at = lines.findIndex((line) => line.trimEnd().endsWith("● update_assessment"));
      expect(at).toBeGreaterThan(-1);
      const column = (lines.find((line) => line.includes("✓ check_assessment")) ?? "").indexOf(
        "precondition",
      );
      expect(lines[at + 1]?.indexOf("update_assessment executed")).toBe(column);
      for (const line of lines) expect(line).not.toMatch(/^ {3}\S \S{17,} \S/);
    },
    CLI_TEST_MS,
  );
});
