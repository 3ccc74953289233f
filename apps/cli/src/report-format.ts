/** The width every report fits: a standard terminal. */
export const REPORT_WIDTH = 80;

/** Dollars with the precision the amount needs: model calls cost fractions of a cent. */
export function usd(amount: number): string {
  if (amount === 0) return "$0";
  if (amount >= 100) return `$${amount.toFixed(2)}`;
  if (amount >= 1) return `$${amount.toFixed(4)}`;
  return `$${amount.toFixed(6)}`;
}

/** A count with thousands separators. */
export function count(value: number): string {
  return value.toLocaleString("en-US");
}

/** A count in at most `width` characters: 1,234 when it fits, else 12.3k, 4.6M, 7.8G. */
export function countIn(value: number, width: number): string {
  const plain = count(value);
  if (plain.length <= width) return plain;
  for (const [unit, size] of [
    ["k", 1e3],
    ["M", 1e6],
    ["G", 1e9],
  ] as const) {
    // The unit that leaves at most three digits before the point.
    if (value / size >= 999.5 && unit !== "G") continue;
    const short = `${(value / size).toFixed(1)}${unit}`;
    if (short.length <= width) return short;
    const whole = `${Math.round(value / size)}${unit}`;
    if (whole.length <= width) return whole;
  }
  return plain;
}

/** A duration in the largest units that keep it short: 42ms, 9.0s, 3m 04s, 2h 05m, 3d 04h. */
export function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const pair = (big: number, small: number, a: string, b: string) =>
    `${big}${a} ${String(small).padStart(2, "0")}${b}`;
  const s = Math.floor(ms / 1_000);
  if (s < 3_600) return pair(Math.floor(s / 60), s % 60, "m", "s");
  if (s < 86_400) return pair(Math.floor(s / 3_600), Math.floor(s / 60) % 60, "h", "m");
  return pair(Math.floor(s / 86_400), Math.floor(s / 3_600) % 24, "d", "h");
}

/** `text` in at most `width` characters: cut with an ellipsis when longer. */
export function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Breaks `text` into lines of at most `width` characters at spaces; a word longer than a
 * line (an id, a hash, JSON) is cut across lines rather than overflowing.
 */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (let word of paragraph.split(/\s+/).filter(Boolean)) {
      // A word too long for any line fills the rest of this one, then whole lines.
      while (word.length > width) {
        const room = line ? width - line.length - 1 : width;
        if (room > 0) {
          lines.push(line ? `${line} ${word.slice(0, room)}` : word.slice(0, room));
          word = word.slice(room);
        } else lines.push(line);
        line = "";
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line || !lines.length) lines.push(line);
  }
  return lines;
}

/** "MM-DD HH:MM" in UTC: enough to place a run in a listing. */
export function shortTime(iso: string): string {
  return iso.slice(5, 16).replace("T", " ");
}
