/** A kind of personal data found in free text. */
export type PiiKind = "email" | "card" | "phone";

/** Every kind: what is detected when a workflow names none. */
export const ALL_KINDS: readonly PiiKind[] = ["email", "card", "phone"];

/**
 * Patterns for personal data in free text. Hand-written rather than a library: the three
 * kinds the product promises are small, and a dependency would bring locales and models
 * that cannot load offline. Card numbers must also pass the Luhn check, and phone numbers
 * must have a plausible count of digits, so order ids and amounts are never mistaken for them.
 *
 * Every pattern here does bounded work at each start position (no unbounded quantifier
 * followed by something that can fail), so a scan is linear in the text: a megabyte-long
 * argument without whitespace once took minutes through an e-mail pattern that, at every
 * position, ran to the end of the word looking for an `@`. E-mail is scanned by hand
 * (`findEmails`) because its parts are unbounded by nature.
 */
const SEP = String.raw`[ .\-\u00a0\u2010-\u2014]`;
const PATTERNS: Record<Exclude<PiiKind, "email">, RegExp> = {
  // 13–19 digits written as one run, as 4-4-4-x groups (x of 1–4, then an optional group of
  // up to 3: 13- to 19-digit cards), or as 4-6-x (Amex 4-6-5, Diners 4-6-4); each separator
  // a space, dot, dash or no-break space, mixed or not. Not part of a longer number.
  card: new RegExp(
    String.raw`(?<!\d${SEP}?)(?:\d{13,19}|\d{4}(?:${SEP}\d{4}){2}${SEP}\d{1,4}(?:${SEP}\d{1,3})?|\d{4}${SEP}\d{6}${SEP}\d{4,5})(?!${SEP}?\d)`,
    "g",
  ),
  // International with a leading + (E.164 written as one run, or in groups, with the area
  // code in parentheses or not), or national as (area) or area, then 3–4 and 3–4 digits.
  // Not inside a longer run of digit groups (a ticket or card-like number), nor after a
  // currency sign, a dot (a version or an address) or a word character.
  phone: new RegExp(
    String.raw`(?<![\w$.+\-])(?<!\d[ \-])(?:\+\d{8,15}|\+\d{1,3}(?:${SEP}?\(\d{1,4}\)|${SEP}\d{1,6}){1,6}|(?:\(\d{2,4}\)${SEP}?|\d{2,4}${SEP})\d{3,4}${SEP}\d{3,4})(?!\w)(?!${SEP}\d)`,
    "g",
  ),
};

export interface PiiMatch {
  readonly kind: PiiKind;
  readonly value: string;
  /** Where the value starts in the text; it ends at `start + value.length`. */
  readonly start: number;
}

/**
 * Every email, Luhn-valid card number and phone number in `text`, in that priority (a span
 * an earlier kind claimed is not claimed again), sorted by position.
 */
export function findPii(text: string, kinds: readonly PiiKind[]): PiiMatch[] {
  const found: PiiMatch[] = [];
  // One flag per character claimed: checking a match against it costs its own length, so
  // the overlap check stays linear however many matches a text holds.
  const taken = new Uint8Array(text.length);
  const claim = (kind: PiiKind, start: number, value: string) => {
    const end = start + value.length;
    for (let i = start; i < end; i++) if (taken[i]) return;
    taken.fill(1, start, end);
    found.push({ kind, value, start });
  };
  for (const kind of ["email", "card", "phone"] as const) {
    if (!kinds.includes(kind)) continue;
    if (kind === "email") {
      for (const [start, end] of findEmails(text)) claim(kind, start, text.slice(start, end));
      continue;
    }
    for (const match of text.matchAll(PATTERNS[kind])) {
      if (kind === "card" && !luhnValid(match[0])) continue;
      if (kind === "phone" && !plausiblePhone(match[0])) continue;
      claim(kind, match.index ?? 0, match[0]);
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/**
 * The text with each match `findPii` finds replaced by what `replace` makes of it, in one
 * pass; the text itself when there is none.
 */
export function replacePii(
  text: string,
  kinds: readonly PiiKind[],
  replace: (match: PiiMatch) => string,
): string {
  const matches = findPii(text, kinds);
  if (!matches.length) return text;
  const parts: string[] = [];
  let from = 0;
  for (const match of matches) {
    parts.push(text.slice(from, match.start), replace(match));
    from = match.start + match.value.length;
  }
  parts.push(text.slice(from));
  return parts.join("");
}

const LOCAL = /[A-Za-z0-9._%+-]/;
const DOMAIN = /[A-Za-z0-9.-]/;
const LETTER = /[A-Za-z]/;

/**
 * Spans matching `local@domain.tld` (local `[A-Za-z0-9._%+-]+`, domain `[A-Za-z0-9.-]+`, a
 * dot, then two or more letters), found from each `@` outward. Each character is read at
 * most a few times (once leftward from the `@` after it, once rightward from the `@` before
 * it, once looking for the last dot), so the scan is linear whatever the text.
 */
function findEmails(text: string): [number, number][] {
  const spans: [number, number][] = [];
  let floor = 0;
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    if (at < floor) continue;
    let start = at;
    while (start > floor && LOCAL.test(text[start - 1] as string)) start--;
    if (start === at) continue;
    let domainEnd = at + 1;
    while (domainEnd < text.length && DOMAIN.test(text[domainEnd] as string)) domainEnd++;
    // The last dot with at least one domain character before it and two letters after it.
    let end = -1;
    for (let dot = domainEnd - 3; dot > at + 1; dot--) {
      if (text[dot] === "." && LETTER.test(text[dot + 1] as string) && LETTER.test(text[dot + 2] as string)) {
        end = dot + 3;
        while (end < text.length && LETTER.test(text[end] as string)) end++;
        break;
      }
    }
    if (end === -1) continue;
    spans.push([start, end]);
    floor = end;
  }
  return spans;
}

function plausiblePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, "").length;
  return digits >= 7 && digits <= 15;
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
