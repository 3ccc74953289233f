import { readFileSync } from "node:fs";
import type { FigureRow } from "./figure-row.js";
import type { PreviousFigures } from "./figures-table.js";

/**
 * Reads an earlier `npm run bench` results file for `--compare`.
 *
 * @throws {Error} when the file cannot be read, is not JSON, or holds no `figures` rows
 * (a results file from before the one table, or from a single suite).
 */
export function loadPrevious(path: string): PreviousFigures {
  let document: { at?: string; git?: { commit?: string }; figures?: unknown };
  try {
    document = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(`--compare ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(document.figures))
    throw new Error(
      `--compare ${path}: the file has no "figures" rows (written by a single suite, or before the one table?)`,
    );
  return {
    file: path,
    at: document.at,
    commit: document.git?.commit,
    rows: document.figures as FigureRow[],
  };
}
