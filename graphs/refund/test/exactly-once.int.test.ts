import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import {
  CHILD_STEP_MS,
  CHILD_TEST_MS,
  paidRefunds as refunds,
  refundStep as step,
} from "./support/refund-child.js";

// Exactly-once side effects, proven the hard way: a child process runs the $1,200 refund,
// is approved, and dies (process.exit, no cleanup) at a boundary of the action; a fresh
// process recovers the run. The refunds that really happened are lines in a file.
// Runs against the build (npm test builds first), as a deployed process would. Each test
// spawns up to four processes, so each gets CHILD_TEST_MS: a loaded machine is slow, not wrong.
const dirs: string[] = [];

function executionOutcomes(dir: string): string[] {
  const db = new Database(join(dir, "governor.db"), { readonly: true });
  try {
    return db
      .prepare<[], { outcome: string }>(
        "SELECT outcome FROM audit_records WHERE kind = 'execution' ORDER BY seq",
      )
      .all()
      .map((row) => row.outcome);
  } finally {
    db.close();
  }
}

/** The refund's effect row: what the journal says happened. */
function effectStatus(
  dir: string,
): { status: string; error: string | null; result: string | null } | undefined {
  const db = new Database(join(dir, "governor.db"), { readonly: true });
  try {
    return db
      .prepare<[], { status: string; error: string | null; result: string | null }>(
        "SELECT status, error, result FROM effects WHERE tool = 'issue_refund'",
      )
      .get();
  } finally {
    db.close();
  }
}

/** `governor reconcile crash-thread ARGS --dir DIR`, the real CLI binary (the build). */
function reconcile(dir: string, ...args: string[]) {
  const bin = fileURLToPath(new URL("../../../apps/cli/bin/governor.js", import.meta.url));
  const result = spawnSync(process.execPath, [bin, "reconcile", "crash-thread", ...args, "--dir", dir], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", OPENAI_API_KEY: "" },
    timeout: CHILD_STEP_MS,
  });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** Starts the $1,200 refund (it waits for approval), then approves it in a process that dies at `crashAt`. */
function crashDuringApprovedRefund(crashAt: string, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "governor-crash-"));
  dirs.push(dir);
  expect(step(dir, "start", env).outcome?.status).toBe("waiting");
  const crashed = step(dir, "approve", { ...env, CRASH_AT: crashAt });
  expect(crashed.code).toBe(137);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("a process killed during a refund never refunds twice", () => {
  for (const boundary of ["after-effect", "after-commit", "after-audit", "after-checkpoint"]) {
    it(
      `killed ${boundary}: the recovered run reads back or refuses, and one refund stands`,
      () => {
        const dir = crashDuringApprovedRefund(boundary);
        expect(refunds(dir)).toHaveLength(1);

        const recovered = step(dir, "recover");
        expect(recovered.code).toBe(0);
        expect(recovered.outcome?.status).toBe("completed");
        expect(refunds(dir)).toHaveLength(1);
        // A second recovery finds nothing left to run, and still no second refund.
        step(dir, "recover");
        expect(refunds(dir)).toHaveLength(1);
      },
      CHILD_TEST_MS,
    );
  }

  it(
    "killed after the payment but before the journal commit: a non-idempotent refund is not re-run, the outcome is flagged unknown",
    () => {
      const dir = crashDuringApprovedRefund("after-effect");
      step(dir, "recover");
      expect(refunds(dir)).toHaveLength(1);
      expect(executionOutcomes(dir)).toContain("outcome-unknown");
      expect(executionOutcomes(dir)).not.toContain("executed");

      // Someone checks the payments system and settles it: audited, and the journal now says
      // it happened (a replay reads it back, never pays again).
      expect(effectStatus(dir)?.status).toBe("started");
      const refused = reconcile(dir, "--happened", "--did-not-happen", "--approver", "ops:lee");
      expect(refused.code, refused.err).toBe(1);
      expect(refused.err).toContain("exactly one of --happened and --did-not-happen");
      const settled = reconcile(
        dir,
        "--happened",
        "--approver",
        "ops:lee",
        "--reason",
        "seen in the payments ledger",
      );
      expect(settled.code, settled.err).toBe(0);
      expect(settled.out).toContain("issue_refund recorded as happened");
      expect(effectStatus(dir)?.status).toBe("committed");
      expect(executionOutcomes(dir).at(-1)).toBe("reconciled");
      const again = reconcile(dir, "--did-not-happen", "--approver", "ops:lee");
      expect(again.code).toBe(1);
      expect(again.err).toContain("no effect whose outcome is unknown");
      step(dir, "recover");
      expect(refunds(dir)).toHaveLength(1);
    },
    CHILD_TEST_MS,
  );

  it(
    "killed after the journal commit: the recovered run reads the committed result back",
    () => {
      const dir = crashDuringApprovedRefund("after-commit");
      step(dir, "recover");
      expect(refunds(dir)).toHaveLength(1);
      // The audit record the dead process never wrote is filled in on recovery: no effect without a record.
      expect(executionOutcomes(dir)).toEqual(["executed"]);
    },
    CHILD_TEST_MS,
  );

  it(
    "killed before the payment: nothing was paid, and a non-idempotent refund is still not guessed at",
    () => {
      const dir = crashDuringApprovedRefund("before-effect");
      step(dir, "recover");
      expect(refunds(dir)).toHaveLength(0);
      expect(executionOutcomes(dir)).toContain("outcome-unknown");

      // The payments system shows nothing: settled as not happened, audited, never paid.
      const settled = reconcile(
        dir,
        "--did-not-happen",
        "--approver",
        "ops:lee",
        "--reason",
        "no such refund",
      );
      expect(settled.code, settled.err).toBe(0);
      expect(effectStatus(dir)).toMatchObject({ status: "failed" });
      expect(effectStatus(dir)?.error).toContain("reconciled: did not happen (ops:lee: no such refund)");
      expect(executionOutcomes(dir).at(-1)).toBe("reconciled");
      expect(refunds(dir)).toHaveLength(0);
    },
    CHILD_TEST_MS,
  );

  it(
    "an idempotent refund killed after the payment is re-run with the same key, and the payments system keeps one",
    () => {
      const env = { IDEMPOTENT_LEDGER: "1" };
      const dir = crashDuringApprovedRefund("after-effect", env);
      const recovered = step(dir, "recover", env);
      expect(recovered.outcome?.status).toBe("completed");
      const paid = refunds(dir);
      expect(paid).toHaveLength(1);
      expect(executionOutcomes(dir)).toEqual(["executed"]);
    },
    CHILD_TEST_MS,
  );
});
