import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI_TEST_MS, type GovernorResult, governorOnTempStore } from "./support/governor-bin.js";
import { governorInProcess } from "./support/in-process.js";

// The real binary, one process per command: what one process wrote, another verifies.
let cli: ReturnType<typeof governorOnTempStore>;
let governor: (...args: string[]) => GovernorResult;
beforeEach(() => {
  cli = governorOnTempStore();
  governor = cli.governor;
});
afterEach(() => cli.dispose());

function auditCount(): number {
  const db = new Database(join(cli.dir, "governor.db"), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM audit_records").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe("governor audit verify and the signed head", () => {
  it(
    "finds every record a finished command wrote anchored, and names the last one when it is cut",
    () => {
      expect(governor("run", "refund", "--case", "large-refund").code).toBe(0);
      // A second process adds records (the approval and the refund) and exits.
      const pending = JSON.parse(governor("pending", "--json").out) as { threadId: string }[];
      expect(pending).toHaveLength(1);
      const thread = pending[0]?.threadId as string;
      expect(governor("approve", thread, "--approver", "supervisor:sam", "--reason", "ok").code).toBe(0);
      const records = auditCount();

      // The head was written when each command closed the store, not left to a timer that died with it.
      const intact = governor("audit", "verify");
      expect(intact.code).toBe(0);
      expect(intact.out).toContain(`✓ audit chain intact: ${records} records`);
      expect(intact.out).toContain(
        `; ${records} anchored by the signed head at ${join(cli.dir, "keys", "audit.head")}`,
      );
      expect(intact.out).not.toContain("not yet anchored");

      const db = new Database(join(cli.dir, "governor.db"));
      db.prepare("DELETE FROM audit_records WHERE seq = ?").run(records);
      db.close();
      const cut = governor("audit", "verify");
      expect(cut.code).toBe(1);
      expect(cut.err).toContain(`✗ audit chain broken at record ${records}:`);
      expect(cut.err).toContain(`record ${records} was removed`);
      expect(cut.err).toContain("problem: truncated");
    },
    CLI_TEST_MS,
  );
});

describe("governor audit on a store that does not exist", () => {
  it.each([[["audit", "verify"]], [["audit", "show", "some-thread"]]])(
    "%j is STORE_NOT_FOUND naming the path, and creates nothing",
    async (args) => {
      const parent = mkdtempSync(join(tmpdir(), "governor-audit-missing-"));
      try {
        const missing = join(parent, "not-a-store");
        const { code, err } = await governorInProcess(...args, "--dir", missing);
        expect(code).toBe(1);
        expect(err.join("\n")).toContain(`error [STORE_NOT_FOUND]: No Governor store at ${missing}`);
        expect(existsSync(missing)).toBe(false);
      } finally {
        rmSync(parent, { recursive: true, force: true });
      }
    },
  );
});
