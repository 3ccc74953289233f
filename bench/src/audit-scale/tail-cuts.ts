import { copyFileSync, cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { verifyProcess } from "./verify-process.js";

/** One way of removing the end of a journal, and what `governor audit verify` said about it. */
export interface TailCut {
  readonly name: string;
  /** The first missing record verify must name. */
  readonly expectedBrokenAt: number;
  readonly detected: boolean;
  /** verify's verdict line (stderr), as printed. */
  readonly verdict: string;
  readonly cpuS: number;
  readonly wallS: number;
}

/**
 * Cuts the end of a copy of the journal in `dir` (`records` records, its head written at
 * close) three ways, directly in the files as someone with write access to the database but
 * not to the head would, and runs `governor audit verify` on each:
 * the last record deleted; the last 1,000 deleted; the whole database file put back to the
 * copy in `older` (`olderRecords` records) while the head stays the newer one.
 *
 * @throws {Error} when verify does not report the cut as a truncation naming the first missing record.
 */
export function tailCuts(dir: string, records: number, older: string, olderRecords: number): TailCut[] {
  const last1000 = Math.max(1, records - 999);
  const cases: { name: string; expected: number; cut: (copy: string) => void }[] = [
    {
      name: "last record deleted",
      expected: records,
      cut: (copy) => deleteFrom(copy, records),
    },
    {
      name: `last ${records - last1000 + 1} records deleted`,
      expected: last1000,
      cut: (copy) => deleteFrom(copy, last1000),
    },
    {
      name: `database file put back to an older copy (${olderRecords.toLocaleString("en")} records)`,
      expected: olderRecords + 1,
      cut: (copy) => {
        for (const suffix of ["", "-wal", "-shm"]) {
          const from = join(older, `governor.db${suffix}`);
          const to = join(copy, `governor.db${suffix}`);
          if (existsSync(from)) copyFileSync(from, to);
          else rmSync(to, { force: true });
        }
      },
    },
  ];
  return cases.map(({ name, expected, cut }) => {
    const copy = `${dir}-cut`;
    rmSync(copy, { recursive: true, force: true });
    cpSync(dir, copy, { recursive: true });
    try {
      cut(copy);
      const verified = verifyProcess(copy);
      const verdict = verified.stderr.split("\n").find((line) => line.includes("audit chain broken")) ?? "";
      const detected =
        verified.code === 1 &&
        verdict.includes(`broken at record ${expected}:`) &&
        verified.stderr.includes("problem: truncated");
      if (!detected)
        throw new Error(
          `audit scale: "${name}" was not reported as a truncation at record ${expected}: exit ${verified.code}\n${verified.stdout}${verified.stderr}`,
        );
      return {
        name,
        expectedBrokenAt: expected,
        detected,
        verdict,
        cpuS: verified.cpuS,
        wallS: verified.wallS,
      };
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
}

/** Deletes every record from `seq` on, from a connection of its own. */
function deleteFrom(dir: string, seq: number): void {
  const db = new Database(join(dir, "governor.db"));
  try {
    db.prepare("DELETE FROM audit_records WHERE seq >= ?").run(seq);
  } finally {
    db.close();
  }
}
