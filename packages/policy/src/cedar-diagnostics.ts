import type { DetailedError } from "@cedar-policy/cedar-wasm/nodejs";
import { GovernorError } from "@governor/errors";

/** Where in a file something is: 1-based line and column. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * The line and column of a Cedar source offset. Cedar reports offsets in UTF-8 bytes
 * (it is Rust), so a reason containing "—" would shift a character count.
 */
export function positionAt(text: string, byteOffset: number): SourcePosition {
  const before = Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8");
  const lines = before.split("\n");
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

/** Cedar's own words for one error: the message, then its help when it gives one. */
export function cedarMessage(error: DetailedError): string {
  return error.help ? `${error.message} (${error.help})` : error.message;
}

/** The first source offset Cedar attached to an error, if any. */
export function firstOffset(error: DetailedError): number | undefined {
  return error.sourceLocations?.[0]?.start;
}

/** `refund.cedar:12:3` — a file, and a position in it when one is known. */
export function where(file: string, position?: SourcePosition): string {
  return position ? `${file}:${position.line}:${position.column}` : file;
}

/** The POLICY_LOAD_FAILED error every loading step throws: file (and position) first, then Cedar's text. */
export function loadFailed(
  file: string,
  problem: string,
  details: { position?: SourcePosition; policyId?: string; cedarErrors?: readonly DetailedError[] } = {},
): GovernorError {
  const policy = details.policyId ? ` (policy "${details.policyId}")` : "";
  return new GovernorError(
    "POLICY_LOAD_FAILED",
    `Cedar policies failed to load: ${where(file, details.position)}${policy}: ${problem}`,
    {
      file,
      line: details.position?.line,
      column: details.position?.column,
      policyId: details.policyId,
      cedarErrors: details.cedarErrors,
    },
  );
}

/** A load failure for a file's first Cedar error, located in that file's text. */
export function cedarLoadFailed(
  file: string,
  text: string,
  errors: readonly DetailedError[],
  prefix = "",
): GovernorError {
  const offset = errors[0] ? firstOffset(errors[0]) : undefined;
  return loadFailed(file, `${prefix}${errors.map(cedarMessage).join("; ")}`, {
    position: offset === undefined ? undefined : positionAt(text, offset),
    cedarErrors: errors,
  });
}
