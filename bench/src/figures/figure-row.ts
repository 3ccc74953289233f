/**
 * One row of the table (`npm run bench`): a governed figure beside its baseline from the
 * same run, their ratio, and whether it meets its goal. Rows are kept in the results JSON
 * under `figures`, keyed by `id`, so `--compare` can match them across runs.
 */
export interface FigureRow {
  /** Stable across runs: `--compare` matches rows by it. */
  readonly id: string;
  /** What is measured, as the table prints it. */
  readonly figure: string;
  /** Unit of `wall`, `cpu` and the baseline's values: "ms", "µs", "s" or "MB". */
  readonly unit: string;
  /** The governed figure: wall time (or the one value, e.g. a latency quantile or RSS). */
  readonly wall: number;
  /** CPU time beside it (user + system), when measured. */
  readonly cpu?: number;
  /** The figure it is a ratio against, measured in the same run. */
  readonly baseline?: { readonly label: string; readonly wall: number; readonly cpu?: number };
  /** wall / baseline wall and cpu / baseline cpu. */
  readonly ratio?: { readonly wall?: number; readonly cpu?: number };
  /** The goal, as text ("CPU ≤ 1.5×"), and whether it is met (undefined: not judged at this scale). */
  readonly goal?: { readonly text: string; readonly pass?: boolean };
  /** Which single number of the row `--compare` compares (lower is better for every figure). */
  readonly headline: "wall" | "cpu" | "ratio.wall" | "ratio.cpu";
  /** Measured on how many runs or calls, or why it was not measured. */
  readonly note?: string;
}

/** The row's headline number, or NaN when the row lacks it. */
export function headlineOf(row: FigureRow): number {
  switch (row.headline) {
    case "wall":
      return row.wall;
    case "cpu":
      return row.cpu ?? Number.NaN;
    case "ratio.wall":
      return row.ratio?.wall ?? Number.NaN;
    case "ratio.cpu":
      return row.ratio?.cpu ?? Number.NaN;
  }
}

/** The ratios of a governed figure against its baseline, wall and (when both have it) CPU. */
export function ratioOf(
  wall: number,
  cpu: number | undefined,
  baseline: { readonly wall: number; readonly cpu?: number },
): { wall: number; cpu?: number } {
  return {
    wall: wall / baseline.wall,
    ...(cpu !== undefined && baseline.cpu !== undefined ? { cpu: cpu / baseline.cpu } : {}),
  };
}
