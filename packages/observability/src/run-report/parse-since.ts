import { GovernorError } from "@governor/errors";

const RELATIVE = /^(\d+)([mhdw])$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
// A calendar date, or a date and time with an optional zone: what Date.parse reads the same everywhere.
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads a `--since` value: an ISO date (`2026-12-01`, midnight UTC), an ISO date and time
 * (`2026-12-01T09:30Z`), or a span back from `now` (`30m`, `24h`, `7d`, `2w`). Only these
 * forms are accepted: `Date.parse` alone would take "12/1" or "Tuesday" and guess.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the value and the forms accepted.
 */
export function parseSince(text: string, now: Date = new Date()): Date {
  const value = text.trim();
  const relative = RELATIVE.exec(value);
  if (relative) {
    const [, amount, unit] = relative;
    return new Date(now.getTime() - Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  }
  const at = ISO.test(value) ? Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `--since "${text}" is not a date: give an ISO date (2026-12-01), a date and time (2026-12-01T09:30Z) or a span back from now (30m, 24h, 7d, 2w)`,
      { since: text },
    );
  }
  return new Date(at);
}
