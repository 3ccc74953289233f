import { createHmac, randomBytes } from "node:crypto";
import { type AuditEntry, type AuditJournal, setOwn, withAppend } from "@governor/observability";
import { ALL_KINDS, type PiiKind, type PiiMatch, replacePii } from "./detectors.js";
import type { PrivacyOptions } from "./pii-mask.js";

/**
 * A value kept out of the audit journal: what a reader may see, and a keyed digest of the real
 * value (HMAC-SHA256 of its UTF-8 text; a number or boolean as `String(value)`), so the record
 * still proves what ran: whoever holds the journal's key checks a real value with
 * `journal.valueDigest(value)`. Keyed, because a plain hash of a card number whose last four
 * digits are shown is guessed back in a million tries.
 */
export interface MaskedValue {
  readonly $masked: string;
  readonly hmac: string;
}

/** Computes the keyed digest of a masked value. */
export type ValueDigest = (text: string) => string;

// For journals that bring no key of their own: a key that dies with the process. Its digests
// prove nothing later, but they leak nothing either (fail closed on privacy, not on proof).
const processKey = randomBytes(32);
const processDigest: ValueDigest = (text) =>
  createHmac("sha256", processKey).update(`governor-audit-value-v1\n${text}`).digest("hex");

/**
 * Keys whose values are the journal's own structure (hashes, ids and keys the controls
 * compare on read), never personal data in the clear: masking one would make a recorded
 * decision unrecognizable to the action that asks for it, and that fails closed for no reason.
 */
const STRUCTURAL_KEYS = new Set([
  "callHash",
  "callId",
  "requestId",
  "idempotencyKey",
  "hash",
  "policyVersion",
  "policyIds",
  "workflowVersion",
  "keyId",
  "token",
]);

/** What a masking pass looks for: the workflow's sensitive state fields and the detected kinds. */
export interface AuditMaskOptions {
  /** Keys (state field names) whose values are masked whole, wherever they appear in a record. */
  readonly sensitive?: readonly string[];
  /** Kinds found in free text and masked. Default: email, card, phone. */
  readonly detect?: readonly PiiKind[];
  /** The keyed digest kept beside each masked value; default: the journal's own, else a per-process key. */
  readonly digest?: ValueDigest;
}

/**
 * The options a workflow's privacy settings give the audit: its sensitive fields, on top of
 * every detected kind. A workflow's `detect` narrows what its prompts mask, never what is
 * stored: a record masked for e-mails only would pass as already masked to the store's own
 * pass, and a card number in the same text would reach the journal in the clear.
 */
export function auditMaskOptions(privacy: PrivacyOptions | undefined): AuditMaskOptions {
  return { sensitive: privacy?.sensitive };
}

/**
 * A record's data with personal data replaced by `MaskedValue`s: every string that holds an
 * email, card or phone number (the match shown as `[card ****4242]`, the rest of the text
 * kept), and every value under a sensitive key. Idempotent: a masked value is left as it is,
 * so a record masked twice (by the store and by a workflow's compile) is the same record.
 */
export function maskRecordData<T>(data: T, options: AuditMaskOptions = {}): T {
  const kinds = options.detect ?? ALL_KINDS;
  const digest = options.digest ?? processDigest;
  const masked = (shown: string, real: string): MaskedValue => ({ $masked: shown, hmac: digest(real) });
  const sensitive = new Set(options.sensitive ?? []);
  const path = new Set<object>();
  const walk = (value: unknown, key: string | undefined, hidden: boolean): unknown => {
    if (key !== undefined && STRUCTURAL_KEYS.has(key)) return value;
    if (typeof value === "string") {
      if (hidden) return masked("[redacted]", value);
      const shown = maskString(value, kinds);
      return shown === value ? value : masked(shown, value);
    }
    if (hidden && (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")) {
      return masked("[redacted]", String(value));
    }
    if (!value || typeof value !== "object") return value;
    // A cycle is left for the journal to refuse (VALUE_UNSERIALIZABLE), not walked forever.
    if (path.has(value)) return value;
    if (Array.isArray(value)) {
      path.add(value);
      const out = value.map((item) => walk(item, undefined, hidden));
      path.delete(value);
      return out;
    }
    if (Object.getPrototypeOf(value) !== Object.prototype || isMasked(value)) return value;
    path.add(value);
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) {
      // A `__proto__` key (from JSON.parse) stays own data, not a prototype change that drops it.
      setOwn(out, name, walk(item, name, hidden || sensitive.has(name)));
    }
    path.delete(value);
    return out;
  };
  return walk(data, undefined, false) as T;
}

/**
 * Free text with each email, card and phone number replaced by what a screen may show:
 * `[email d***@example.com]`, `[card ****4242]`, `[phone ***0199]`. Not reversible; for
 * display (the approval prompt, `governor pending`), where the audit keeps `MaskedValue`s.
 */
export function maskText(text: string, kinds: readonly PiiKind[] = ALL_KINDS): string {
  return replacePii(text, kinds, (match) => `[${match.kind} ${hint(match)}]`);
}

/** Any value with every string in it passed through `maskText` (keys kept): for display. */
export function maskForDisplay<T>(value: T, kinds: readonly PiiKind[] = ALL_KINDS): T {
  if (typeof value === "string") return maskText(value, kinds) as T;
  if (Array.isArray(value)) return value.map((item) => maskForDisplay(item, kinds)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    if (isMasked(value)) return (value as unknown as MaskedValue).$masked as T;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        STRUCTURAL_KEYS.has(key) ? item : maskForDisplay(item, kinds),
      ]),
    ) as T;
  }
  return value;
}

/**
 * An audit journal that masks personal data in every record before it is stored: the one
 * place records pass through, so no writer (run start, gate, approval, execution, model)
 * can forget. `list` and `verify` read the stored, masked records; the chain's hashes cover
 * them as stored, so `audit verify` holds as before.
 *
 * The journal keeps its own type (a proxy that replaces only `append`), so a store's
 * concrete journal (with `flush`, `close`) can be wrapped where it is made.
 *
 * @example
 * const audit = maskingAuditJournal(store.audit, auditMaskOptions(workflow.privacy));
 */
export function maskingAuditJournal<T extends AuditJournal>(journal: T, options: AuditMaskOptions = {}): T {
  // The journal's own append, taken once: whatever is later assigned to `append` (a test's
  // spy, a crash hook) wraps the masking append rather than being called by it.
  const inner = journal.append.bind(journal);
  // Digests under the journal's own key, so whoever holds the store's audit key can check them.
  const keyed = { ...options, digest: options.digest ?? journal.valueDigest?.bind(journal) };
  // Over a journal that already masks at least as much (the store's, under a workflow with no
  // sensitive fields), a second walk of every record would change nothing: skip it.
  const append = coveredBy(options, maskingOptions.get(journal))
    ? inner
    : (entry: AuditEntry) =>
        inner(entry.data ? { ...entry, data: maskRecordData(entry.data, keyed) } : entry);
  const masking = withAppend(journal, append);
  maskingOptions.set(masking, options);
  return masking;
}

/** The options each masking journal was made with, to tell when wrapping one again is redundant. */
const maskingOptions = new WeakMap<object, AuditMaskOptions>();

/**
 * Whether masking with `outer` and then with `under` stores the same as `under` alone: the
 * same kinds and digest (a string `outer` masks is masked identically by `under`, and
 * `under` leaves a masked value as it is), and no sensitive field `under` does not also mask.
 */
function coveredBy(outer: AuditMaskOptions, under: AuditMaskOptions | undefined): boolean {
  if (!under || outer.digest !== under.digest) return false;
  const outerKinds = new Set(outer.detect ?? ALL_KINDS);
  const underKinds = new Set(under.detect ?? ALL_KINDS);
  return (
    outerKinds.size === underKinds.size &&
    [...outerKinds].every((kind) => underKinds.has(kind)) &&
    (outer.sensitive ?? []).every((field) => under.sensitive?.includes(field))
  );
}

/** The text as a screen may show it; the text itself when it holds no personal data. */
function maskString(text: string, kinds: readonly PiiKind[]): string {
  // Digests and signed tokens carry no personal data in the clear, and a run of digits in a
  // hex digest can pass the Luhn check: leave them whole.
  if (/^[0-9a-f]{32,}$/i.test(text)) return text;
  return maskText(text, kinds);
}

/**
 * A record's data as a screen or a span shows it, when the data was already masked on its way
 * into the journal (`maskRecordData`): each `MaskedValue` becomes its shown form, and nothing
 * is searched again. `maskForDisplay` is for data that was never masked.
 */
export function shownMasked<T>(value: T): T {
  if (Array.isArray(value)) return value.map(shownMasked) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    if (isMasked(value)) return (value as unknown as MaskedValue).$masked as T;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) setOwn(out, key, shownMasked(item));
    return out as T;
  }
  return value;
}

function isMasked(value: object): boolean {
  const keys = Object.keys(value);
  return keys.length === 2 && "$masked" in value && "hmac" in value;
}

/** Enough of a value to tell two apart on screen, never enough to use it. */
function hint(match: PiiMatch): string {
  const digits = match.value.replace(/\D/g, "");
  switch (match.kind) {
    case "card":
      return `****${digits.slice(-4)}`;
    case "phone":
      return `***${digits.slice(-4)}`;
    case "email": {
      const at = match.value.indexOf("@");
      return `${match.value.slice(0, 1)}***${match.value.slice(at)}`;
    }
  }
}
