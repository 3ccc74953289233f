import { GovernorError } from "@governor/errors";

/**
 * Why a pg error means the database cannot be reached, in words for a message; undefined
 * for an error the server answered (a constraint, a syntax error), which is not ours to rename.
 */
export function unreachableCause(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const message = error.message;
  switch (code) {
    case "ECONNREFUSED":
      return "connection refused (is the server running on that port?)";
    case "ETIMEDOUT":
      return "connection timed out";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ECONNRESET":
    case "EPIPE":
      return "connection lost";
    case "28P01":
    case "28000":
      return "authentication failed (check the user and password)";
    case "3D000":
      return "database does not exist (create it, or fix the URL's database name)";
    case "57P01":
    case "57P02":
      return "the server shut down the connection";
    case "57P03":
      return "the server is starting up or shutting down";
    case "53300":
      return "the server has too many connections";
  }
  if (typeof code === "string" && code.startsWith("08")) return `connection failure (${code})`;
  // pg reports these as plain Errors without a code.
  // "timeout expired": a connection attempt that outlived the pool's connect timeout.
  if (/timeout expired|connection timeout/i.test(message)) return "connection timed out";
  // pg's client-side query timeout: the server did not answer a statement in time.
  if (/Query read timeout/i.test(message))
    return "no answer to a statement within the query timeout (GOVERNOR_PG_QUERY_TIMEOUT_MS)";
  if (/Connection terminated|not queryable|connection (?:was )?closed|Client was closed/i.test(message))
    return "connection lost";
  return undefined;
}

/** `error` as STORE_UNREACHABLE naming `where` and the cause when the database could not be reached, else as it was. */
export function storeError(error: unknown, where: string): unknown {
  if (error instanceof GovernorError) return error;
  const cause = unreachableCause(error);
  if (cause === undefined) return error;
  return new GovernorError(
    "STORE_UNREACHABLE",
    `PostgreSQL at ${where} is unreachable: ${cause}`,
    { where, cause, code: (error as { code?: unknown }).code },
    { cause: error },
  );
}
