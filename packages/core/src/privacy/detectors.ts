/** A kind of personal data found in free text. */
export type PiiKind = "email" | "card" | "phone";

/**
 * Patterns for personal data in free text. Hand-written rather than a library: the three
 * kinds the product promises are small, and a dependency would bring locales and models
 * that cannot load offline. Card numbers must also pass the Luhn check, so order ids and
 * amounts are never mistaken for cards.
 */
const PATTERNS: Record<PiiKind, RegExp> = {
  email: /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g,
  card: /\b(?:\d[ -]?){12,18}\d\b/g,
  // Not inside a longer run of digit groups (a ticket or card-like number), nor after a currency sign.
  phone:
    /(?<![\w$.-])(?<!\d[ -])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}(?!\w)(?![ .-]\d)/g,
};

export interface PiiMatch {
  readonly kind: PiiKind;
  readonly value: string;
}

/** Every email, Luhn-valid card number and phone number in `text`, in that priority. */
export function findPii(text: string, kinds: readonly PiiKind[]): PiiMatch[] {
  const found: PiiMatch[] = [];
  const taken: [number, number][] = [];
  for (const kind of ["email", "card", "phone"] as const) {
    if (!kinds.includes(kind)) continue;
    for (const match of text.matchAll(PATTERNS[kind])) {
      const start = match.index ?? 0;
      const end = start + match[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue;
      if (kind === "card" && !luhnValid(match[0])) continue;
      taken.push([start, end]);
      found.push({ kind, value: match[0] });
    }
  }
  return found;
}

function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
