/**
 * One writer of the concurrency test, in a process of its own with its own pool: opens the
 * journal (key from GOVERNOR_AUDIT_KEY, as a deployed worker would), says "ready", waits for
 * "go" on stdin so every writer starts at once, appends `count` records from `lanes`
 * concurrent loops, and prints what it appended as one JSON line.
 *
 * Usage: node --import tsx audit-append-worker.ts <databaseUrl> <writer> <count> <lanes>
 */
import { createInterface } from "node:readline";
import pg from "pg";
import { PgAuditJournal } from "../src/audit/pg-audit-journal.js";

const [url, writer, countText, lanesText] = process.argv.slice(2);
const count = Number(countText);
const lanes = Number(lanesText);
const pool = new pg.Pool({ connectionString: url, max: lanes + 1 });
pool.on("error", () => undefined);
const journal = await PgAuditJournal.open(pool);

const go = new Promise<void>((resolve) => {
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "go") {
      lines.close();
      // Nothing more to read: an open stdin would keep the process alive after its work.
      process.stdin.destroy();
      resolve();
    }
  });
});
process.stdout.write("ready\n");
await go;

const started = performance.now();
const seqs: number[] = [];
let next = 0;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    for (let i = next++; i < count; i = next++) {
      const record = await journal.append({
        threadId: `writer-${writer}-thread-${i % 5}`,
        kind: "execution",
        outcome: "executed",
        tool: "issue_refund",
        data: { writer, i, callId: `w${writer}-c${i}` },
        dedupeKey: `w${writer}-${i}`,
      });
      seqs[i] = record.seq;
    }
  }),
);
const ms = performance.now() - started;
await pool.end();
process.stdout.write(`${JSON.stringify({ writer, seqs, ms })}\n`);
