import { createHash } from "node:crypto";
import { ALL_KINDS, type PiiKind, replacePii } from "./detectors.js";

/** How a workflow treats personal data in what the model reads. */
export interface PrivacyOptions {
  /** State fields whose values are masked wherever they appear in a prompt. */
  readonly sensitive?: readonly string[];
  /** Kinds found in free text and masked. Default: email, card, phone. */
  readonly detect?: readonly PiiKind[];
  /** The model may see everything unmasked (say why in the workflow). Default: false. */
  readonly modelMaySee?: boolean;
}

/** What `#remember` writes: a label and six hex digits of the value's SHA-256. */
const PLACEHOLDER = /\[(?:PII|EMAIL|CARD|PHONE)_[0-9a-f]{6}\]/g;

/**
 * Masks personal data in text bound for a model, reversibly within one call.
 *
 * A placeholder names the kind and a short hash of the value (`[EMAIL_3f2a9c]`), so the
 * same value gets the same placeholder in every prompt of a run without keeping a table
 * in state, and a tool call the model writes with a placeholder can be unmasked again.
 * The real values never leave the process for the model; they stay in state for tools.
 */
export class PiiMasker {
  readonly #kinds: readonly PiiKind[];
  readonly #placeholders = new Map<string, string>();
  readonly #values = new Map<string, string>();
  /** The sensitive state values, longest first, so a value that contains another is replaced whole. */
  readonly #sensitive: string[];

  constructor(options: PrivacyOptions, sensitiveValues: readonly string[]) {
    this.#kinds = options.detect ?? ALL_KINDS;
    this.#sensitive = [...new Set(sensitiveValues)]
      .filter((v) => v.length >= 3)
      .sort((a, b) => b.length - a.length);
    for (const value of this.#sensitive) this.#remember(value, "PII");
  }

  /** Sensitive field values of the state, as strings, for the masker to replace. */
  static sensitiveValues(state: Record<string, unknown>, fields: readonly string[] = []): string[] {
    const values: string[] = [];
    const collect = (value: unknown) => {
      if (typeof value === "string" || typeof value === "number") values.push(String(value));
      else if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === "object") Object.values(value).forEach(collect);
    };
    for (const field of fields) collect(state[field]);
    return values;
  }

  /**
   * The text with every sensitive value and every detected email, card and phone replaced by
   * its placeholder. Linear in the text for detected values (replaced by position in one
   * pass); sensitive state values are replaced first, one pass each.
   */
  mask(text: string): string {
    let masked = text;
    for (const value of this.#sensitive) masked = masked.split(value).join(this.#placeholders.get(value));
    return replacePii(masked, this.#kinds, (match) => this.#remember(match.value, match.kind.toUpperCase()));
  }

  /** Puts the real values back into what the model wrote (tool-call arguments). */
  unmask<T>(value: T): T {
    if (typeof value === "string") {
      // One pass over the text whatever the number of placeholders: each is looked up.
      return value.replace(PLACEHOLDER, (placeholder) => this.#values.get(placeholder) ?? placeholder) as T;
    }
    if (Array.isArray(value)) return value.map((item) => this.unmask(item)) as T;
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.unmask(item)])) as T;
    }
    return value;
  }

  /** How many distinct values were masked: audited, never the values themselves. */
  get maskedCount(): number {
    return this.#placeholders.size;
  }

  #remember(value: string, label: string): string {
    const known = this.#placeholders.get(value);
    if (known) return known;
    const placeholder = `[${label}_${createHash("sha256").update(value).digest("hex").slice(0, 6)}]`;
    this.#placeholders.set(value, placeholder);
    this.#values.set(placeholder, value);
    return placeholder;
  }
}
