import { GovernorError } from "@governor/errors";
import { unreachableCause } from "../unreachable.js";

/**
 * What a pg failure means to a caller of the audit journal, as a GovernorError with the
 * original as its cause: the database gone (the store's one reading of pg's errors, see
 * `unreachableCause`), or a schema older than this code. Anything else, and a GovernorError,
 * passes through unchanged: a fault of this code is not the network's.
 */
export function storeFailure(error: unknown, what: string): unknown {
  if (error instanceof GovernorError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // An undefined table or column: the database's schema is not the one this code writes.
  if (code === "42P01" || code === "42703")
    return new GovernorError(
      "STORE_SCHEMA_MISMATCH",
      `${what}: the audit tables are missing or older than this code (${message}); run governor migrate`,
      { code },
      { cause: error },
    );
  const cause = unreachableCause(error);
  if (cause === undefined) return error;
  return new GovernorError(
    "STORE_UNREACHABLE",
    `${what}: PostgreSQL is unreachable: ${cause}`,
    { cause, code },
    { cause: error },
  );
}
