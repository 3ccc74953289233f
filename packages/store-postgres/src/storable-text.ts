/**
 * PostgreSQL text cannot hold NUL characters (SQLite's can): an error message carrying one
 * would make the failure itself fail to record (an effect left "started", a run left "running").
 * Replaced instead.
 */
export function storableText(text: string): string {
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}
