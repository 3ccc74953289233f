import { type PlainJson, toPlainJson } from "@governor/observability";

/** A handler's result as the journals will hold it, or why it cannot be held. */
export type RecordedResult =
  | { readonly ok: true; readonly value: PlainJson }
  | { readonly ok: false; readonly reason: string };

/**
 * Normalizes a handler's result once, the way the effect journal and the audit journal store
 * it (`toPlainJson`: a bigint, Buffer, Date, Map or class instance becomes plain JSON). The
 * caller returns this value both the first time and when the effect is read back later, so a
 * run sees the same result whether the handler ran now or before a resume.
 *
 * Never throws: it is called after the handler acted, when a throw would turn an effect that
 * happened into a failure. A circular result, or a getter or `toJSON` that throws, is an
 * unrecordable result with its reason.
 */
export function recordResult(result: unknown): RecordedResult {
  try {
    return { ok: true, value: toPlainJson(result) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** What the model and the operator are told when a handler acted but its result could not be kept. */
export function unrecordedMessage(reason: string): string {
  return `the call happened, but its result could not be recorded (${reason}); reconcile before retrying`;
}
