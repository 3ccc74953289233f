import { GovernorError } from "@governor/errors";

/** Node's socket errors that mean the server is not there (or stopped answering). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * PostgreSQL's SQLSTATEs for a server that cannot serve: connection exceptions (class 08),
 * shut down or restarting (57P01–57P03), out of connections (53300), authentication (28…).
 */
function unreachableState(state: string): boolean {
  return state.startsWith("08") || state.startsWith("28") || /^57P0[123]$/.test(state) || state === "53300";
}

/**
 * What a pg failure means to a caller of the audit journal, as a GovernorError with the
 * original as its cause. A GovernorError, and any failure that is neither of those, passes
 * through unchanged.
 *
 * pg reports a connection the server dropped without a SQLSTATE ("Connection terminated
 * unexpectedly", "Client has encountered a connection error"), so those messages count as
 * unreachable too: an append racing a crash must read as the database gone, not as a bug.
 */
export function storeFailure(error: unknown, what: string): Error {
  if (error instanceof GovernorError) return error;
  const failure = error as { code?: unknown; message?: unknown };
  const code = typeof failure.code === "string" ? failure.code : "";
  const message = typeof failure.message === "string" ? failure.message : String(error);
  // An undefined table or column: the database's schema is not the one this code writes.
  if (code === "42P01" || code === "42703")
    return new GovernorError(
      "STORE_SCHEMA_MISMATCH",
      `${what}: the audit tables are missing or older than this code (${message}); run governor migrate`,
      { code },
      { cause: error },
    );
  if (
    NETWORK_CODES.has(code) ||
    unreachableState(code) ||
    /Connection terminated|connection error|timeout exceeded when trying to connect|not queryable/i.test(
      message,
    )
  )
    return new GovernorError(
      "STORE_UNREACHABLE",
      `${what}: the database cannot be reached (${message})`,
      { code: code || undefined },
      { cause: error },
    );
  // Anything else is a fault of this code or of the schema, not of the network: shown as it is.
  return error instanceof Error ? error : new Error(message);
}
