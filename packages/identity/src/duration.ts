import { GovernorError } from "@governor/errors";

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?)$/i;

/**
 * A token lifetime in whole seconds: a number of seconds, or `"90s"`, `"15m"`, `"2h"`, `"1d"`.
 *
 * jose's own `setExpirationTime("15m")` counts from the wall clock, not from the token's
 * `iat`; tokens issued with an explicit `now` need the offset itself, so it is parsed here.
 *
 * @throws {GovernorError} CONFIG_INVALID when the value is not a positive duration.
 */
export function durationSeconds(value: string | number, label: string): number {
  const seconds = typeof value === "number" ? value : parseDuration(value);
  if (seconds === undefined || !Number.isInteger(seconds) || seconds <= 0) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `${label} must be a positive duration such as "15m", "2h" or a number of seconds; got ${JSON.stringify(value)}`,
      { [label]: value },
    );
  }
  return seconds;
}

function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match?.[1] || !match[2]) return undefined;
  // Every accepted unit spelling starts with its unit letter: "min" → m, "hrs" → h.
  const perUnit = UNIT_SECONDS[match[2].charAt(0).toLowerCase()];
  return perUnit === undefined ? undefined : Number(match[1]) * perUnit;
}
