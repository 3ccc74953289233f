import { join } from "node:path";
import Database from "better-sqlite3";

/**
 * Rewrites one column of one audit record straight in the store's SQLite file, as someone with
 * access to the file (not to Governor's API) could, so a test can check that `verify` notices.
 *
 * @throws {Error} when no record has that seq: a tamper that changed nothing proves nothing.
 */
export function tamperAuditRecord(
  dir: string,
  seq: number,
  column: "data" | "outcome" | "principal" | "tool" | "node" | "thread_id",
  edit: (value: string) => string,
): void {
  const db = new Database(join(dir, "governor.db"));
  try {
    const row = db
      .prepare<[number], Record<string, string>>("SELECT * FROM audit_records WHERE seq = ?")
      .get(seq);
    const before = row?.[column];
    if (typeof before !== "string") throw new Error(`no audit record ${seq} with a ${column} to edit`);
    const after = edit(before);
    if (after === before) throw new Error(`the edit left record ${seq}'s ${column} unchanged`);
    db.prepare(`UPDATE audit_records SET ${column} = ? WHERE seq = ?`).run(after, seq);
  } finally {
    db.close();
  }
}
