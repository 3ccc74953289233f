import type { Point } from "./layout-diagram.js";
import { n } from "./node-shapes.js";

/**
 * A smooth path through dagre's points: straight to the first point, then quadratic curves
 * through the midpoints, so bends are rounded and the last segment ends on the target's
 * border where the arrowhead sits.
 */
export function edgePath(points: readonly Point[]): string {
  const [first, ...rest] = points;
  if (!first) return "";
  let d = `M${n(first.x)},${n(first.y)}`;
  for (let index = 0; index < rest.length - 1; index++) {
    const bend = rest[index] as Point;
    const next = rest[index + 1] as Point;
    d += ` Q${n(bend.x)},${n(bend.y)} ${n((bend.x + next.x) / 2)},${n((bend.y + next.y) / 2)}`;
  }
  const last = rest.at(-1);
  if (last) d += ` L${n(last.x)},${n(last.y)}`;
  return d;
}
