import { formatTable } from "../table.js";
import { type FigureRow, headlineOf } from "./figure-row.js";

/** An earlier run's figures, as `--compare` loads them. */
export interface PreviousFigures {
  readonly file: string;
  readonly at?: string;
  readonly commit?: string;
  readonly rows: readonly FigureRow[];
}

/** A value in its unit, with as many decimals as the unit needs. */
export function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined || Number.isNaN(value)) return "—";
  const decimals = unit === "MB" ? 0 : unit === "µs" ? 1 : unit === "s" ? 2 : unit === "×" ? 2 : 2;
  return `${value.toFixed(decimals)}${unit === "×" ? "×" : ` ${unit}`}`;
}

const pair = (wall: number | undefined, cpu: number | undefined, unit: string): string =>
  cpu === undefined ? formatValue(wall, unit) : `${formatValue(wall, unit)} / ${formatValue(cpu, unit)}`;

/** PASS or FAIL against the goal; "not judged" when the scale was too small to judge it. */
function verdictOf(row: FigureRow): string {
  if (!row.goal) return Number.isNaN(row.wall) ? "not measured" : "—";
  if (row.goal.pass === undefined) return "not judged";
  return row.goal.pass ? "PASS" : "FAIL";
}

/** What a headline is called in the compare column. */
const HEADLINE_NAMES: Readonly<Record<FigureRow["headline"], string>> = {
  wall: "",
  cpu: "CPU ",
  "ratio.wall": "× ",
  "ratio.cpu": "CPU× ",
};

/** "× 2.70 → 1.45 (−46%)": the row's headline then and now; lower is better for every figure. */
export function compareCell(row: FigureRow, previous: readonly FigureRow[]): string {
  const before = previous.find((p) => p.id === row.id);
  if (!before) return "new";
  const unit = row.headline.startsWith("ratio") ? "×" : row.unit;
  const then = headlineOf(before);
  const now = headlineOf(row);
  if (Number.isNaN(then) || Number.isNaN(now)) return "—";
  const change = ((now - then) / then) * 100;
  const sign = change > 0 ? "+" : change < 0 ? "−" : "±";
  return `${HEADLINE_NAMES[row.headline]}${formatValue(then, unit)} → ${formatValue(now, unit)} (${sign}${Math.abs(change).toFixed(0)}%)`;
}

/**
 * The issue's figures as one table: governed (wall / CPU), baseline (wall / CPU), the ratios,
 * the goal and its verdict; with `previous`, a last column comparing each row's headline to
 * that run's.
 */
export function formatFigures(rows: readonly FigureRow[], previous?: PreviousFigures): string {
  const header = [
    "figure",
    "governed (wall / CPU)",
    "baseline (wall / CPU)",
    "× wall",
    "× CPU",
    "goal",
    "verdict",
  ];
  if (previous) header.push("vs previous");
  const body = rows.map((row) => {
    const cells = [
      row.figure,
      pair(row.wall, row.cpu, row.unit),
      row.baseline ? `${row.baseline.label}: ${pair(row.baseline.wall, row.baseline.cpu, row.unit)}` : "—",
      formatValue(row.ratio?.wall, "×"),
      formatValue(row.ratio?.cpu, "×"),
      row.goal?.text ?? "—",
      verdictOf(row),
    ];
    if (previous) cells.push(compareCell(row, previous.rows));
    return cells;
  });
  const notes = rows
    .filter((row) => row.note)
    .map((row) => `  ${row.figure}: ${row.note}`)
    .join("\n");
  const title = previous
    ? `Issue 9 figures, compared with ${previous.file} (${previous.at ?? "undated"}${previous.commit ? `, ${previous.commit.slice(0, 10)}` : ""}); lower is better everywhere`
    : "Issue 9 figures (ratios against a baseline measured in this run; CPU is this process's or the child's user + system)";
  return [title, "", formatTable(header, body), ...(notes ? ["", notes] : [])].join("\n");
}
