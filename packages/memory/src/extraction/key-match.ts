import type { FactKey } from "../fact.js";

/**
 * The deterministic half of matching: keys that differ only in case, spacing or punctuation
 * around words are the same key, and keys that share a word in both the entity and the
 * attribute are near enough to ask the model about. No model call is spent on the first, and
 * a key near nothing is simply new.
 */
export function normalizeKey(key: FactKey): string {
  return `${normalizePart(key.entity)}\u0000${normalizePart(key.attribute)}`;
}

function normalizePart(text: string): string {
  return words(text).join(" ");
}

/** Words of a key part, lowercased, without punctuation. */
function words(text: string): string[] {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const STOP_WORDS = new Set(["a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "our", "we", "is"]);

/** Content words, with a plural "s" dropped so "carriers" meets "carrier". */
function stems(text: string): Set<string> {
  return new Set(
    words(text)
      .filter((word) => !STOP_WORDS.has(word))
      .map((word) =>
        word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word,
      ),
  );
}

function overlaps(a: Set<string>, b: Set<string>): boolean {
  for (const word of a) if (b.has(word)) return true;
  return false;
}

/** Whether two keys may name the same thing: a shared content word in the entity and in the attribute. */
export function nearKeys(a: FactKey, b: FactKey): boolean {
  return overlaps(stems(a.entity), stems(b.entity)) && overlaps(stems(a.attribute), stems(b.attribute));
}
