import type { FactKey } from "../fact.js";

/**
 * The deterministic half of matching: keys that differ only in case, spacing or punctuation
 * around words are the same key, and keys whose words nest in both the entity and the
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

/** One set of words contains the other: "carrier" / "shipping carrier", but not "Zone B" / "Zone C". */
function nested(a: Set<string>, b: Set<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const word of small) if (!large.has(word)) return false;
  return true;
}

/**
 * Whether two keys may name the same thing: in both the entity and the attribute, the words of
 * one contain the other's. A word that differs on both sides ("Zone B" / "Zone C") tells them apart.
 */
export function nearKeys(a: FactKey, b: FactKey): boolean {
  return nested(stems(a.entity), stems(b.entity)) && nested(stems(a.attribute), stems(b.attribute));
}
