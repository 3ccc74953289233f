/**
 * The class of a failed session, as the issue counts them: SQLite's lock timeouts, PostgreSQL's
 * deadlocks and serialization failures, connection losses, and everything else by its
 * GovernorError code or error name.
 */
export function errorKind(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown } | undefined;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : String(error);
  if (code.startsWith("SQLITE_BUSY") || /database is locked/i.test(message)) return "SQLITE_BUSY";
  if (code === "40P01" || /deadlock detected/i.test(message)) return "deadlock";
  if (code === "40001" || /could not serialize/i.test(message)) return "serialization-failure";
  if (/ECONNRESET|ECONNREFUSED|Connection terminated/i.test(message)) return "connection-lost";
  if (code) return code;
  if (e?.cause) return errorKind(e.cause);
  return typeof e?.name === "string" ? e.name : "Error";
}

/** Adds one to `kind`'s count. */
export function countError(counts: Record<string, number>, kind: string): void {
  counts[kind] = (counts[kind] ?? 0) + 1;
}
