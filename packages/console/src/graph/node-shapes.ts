import type { KindStyle } from "./node-kinds.js";

/**
 * The outline of a node, centred on (0, 0), as SVG elements with classes only (graph.css
 * colours them: no `style=` attribute, which a strict CSP would block). Numbers only: nothing
 * here comes from the workflow.
 */
export function shapeOf(shape: KindStyle["shape"], width: number, height: number): string {
  const w = width / 2;
  const h = height / 2;
  const rect = (rx: number, inset = 0, cls = "gv-shape") =>
    `<rect class="${cls}" x="${n(-w + inset)}" y="${n(-h + inset)}" width="${n(width - 2 * inset)}" height="${n(height - 2 * inset)}" rx="${rx}"/>`;
  switch (shape) {
    case "pill":
      return rect(h);
    case "rect":
      return rect(2);
    case "rounded":
      return rect(14);
    case "double":
      // Two borders: the only kind of step with side effects.
      return `${rect(3)}${rect(1, 4, "gv-shape-inner")}`;
    case "diamond":
      return polygon([
        [-w, 0],
        [0, -h],
        [w, 0],
        [0, h],
      ]);
    case "hexagon": {
      // The points stay in proportion at the legend's swatch size.
      const point = Math.min(18, height * 0.4);
      return polygon([
        [-w, 0],
        [-w + point, -h],
        [w - point, -h],
        [w, 0],
        [w - point, h],
        [-w + point, h],
      ]);
    }
    case "slanted": {
      const skew = Math.min(12, height * 0.3);
      return polygon([
        [-w + skew, -h],
        [w, -h],
        [w - skew, h],
        [-w, h],
      ]);
    }
    case "notched": {
      const cut = Math.min(10, height * 0.22);
      return polygon([
        [-w + cut, -h],
        [w - cut, -h],
        [w, -h + cut],
        [w, h - cut],
        [w - cut, h],
        [-w + cut, h],
        [-w, h - cut],
        [-w, -h + cut],
      ]);
    }
    case "cylinder": {
      const lid = Math.min(6, height * 0.2);
      return (
        `<path class="gv-shape" d="M${n(-w)},${n(-h + lid)} A${n(w)},${lid} 0 0 1 ${n(w)},${n(-h + lid)} ` +
        `V${n(h - lid)} A${n(w)},${lid} 0 0 1 ${n(-w)},${n(h - lid)} Z"/>` +
        `<path class="gv-shape-inner" d="M${n(-w)},${n(-h + lid)} A${n(w)},${lid} 0 0 0 ${n(w)},${n(-h + lid)}"/>`
      );
    }
  }
}

function polygon(points: readonly (readonly [number, number])[]): string {
  return `<polygon class="gv-shape" points="${points.map(([x, y]) => `${n(x)},${n(y)}`).join(" ")}"/>`;
}

/** A coordinate with at most one decimal, so the same layout always prints the same text. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}
