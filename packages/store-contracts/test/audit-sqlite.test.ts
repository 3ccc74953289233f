import { MemoryHeadStore, SqliteAuditJournal } from "@governor/observability";
import Database from "better-sqlite3";
import { describeAuditJournalContract } from "../src/audit-journal-contract.js";

// The reference backend: an in-memory SQLite journal, its head in memory, tampered with by SQL
// on the same connection as someone with the database file (and not the key) would.
describeAuditJournalContract("SqliteAuditJournal", async (key) => {
  const db = new Database(":memory:");
  const head = new MemoryHeadStore();
  const journal = new SqliteAuditJournal(db, { key, head });
  return {
    journal,
    reopen: (withKey) => new SqliteAuditJournal(db, { key: withKey, head }),
    tamper: {
      setColumn(seq, column, value) {
        db.prepare(`UPDATE audit_records SET ${column} = ? WHERE seq = ?`).run(value, seq);
      },
      deleteRecords(from, to) {
        db.prepare("DELETE FROM audit_records WHERE seq BETWEEN ? AND ?").run(from, to);
      },
      swapRecords(a, b) {
        db.transaction(() => {
          db.prepare("UPDATE audit_records SET seq = -1 WHERE seq = ?").run(a);
          db.prepare("UPDATE audit_records SET seq = ? WHERE seq = ?").run(a, b);
          db.prepare("UPDATE audit_records SET seq = ? WHERE seq = -1").run(b);
        })();
      },
    },
    close: () => {
      db.close();
    },
  };
});
