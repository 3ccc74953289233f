import type { DiagramKind } from "./diagram.js";
import { KIND_STYLES, LEGEND_ORDER } from "./node-kinds.js";
import { n, shapeOf } from "./node-shapes.js";
import { SMALL_CHAR_PX, textWidth } from "./text-fit.js";

const SWATCH_WIDTH = 44;
const SWATCH_HEIGHT = 20;
const ROW_HEIGHT = 28;
const GAP = 18;

/**
 * The kinds a diagram uses, each with its outline and its word, in rows no wider than the
 * diagram (at least one entry a row). Returns the SVG and the height it takes.
 */
export function legendOf(
  kinds: ReadonlySet<DiagramKind>,
  maxWidth: number,
  edges: { readonly conditional: boolean },
): { svg: string; height: number } {
  const entries = LEGEND_ORDER.filter((kind) => kinds.has(kind)).map((kind) => {
    const style = KIND_STYLES[kind];
    return {
      kind,
      caption: style.caption,
      shape: style.shape,
      width: SWATCH_WIDTH + 8 + textWidth(style.caption, SMALL_CHAR_PX),
    };
  });
  const items: string[] = [];
  let x = 0;
  let row = 0;
  const place = (width: number) => {
    if (x > 0 && x + width > maxWidth) {
      x = 0;
      row += 1;
    }
    const at = { x, y: row * ROW_HEIGHT };
    x += width + GAP;
    return at;
  };
  for (const entry of entries) {
    const at = place(entry.width);
    items.push(
      `<g class="gv-legend-item gv-node gv-kind-${entry.kind}" data-legend-kind="${entry.kind}" transform="translate(${n(at.x)},${n(at.y)})">` +
        `<g transform="translate(${SWATCH_WIDTH / 2},${ROW_HEIGHT / 2})">${shapeOf(entry.shape, SWATCH_WIDTH, SWATCH_HEIGHT)}</g>` +
        `<text class="gv-legend-text" x="${SWATCH_WIDTH + 8}" y="${ROW_HEIGHT / 2 + 4}">${entry.caption}</text></g>`,
    );
  }
  if (edges.conditional) {
    const caption = "outcome edge (conditional)";
    const at = place(SWATCH_WIDTH + 8 + textWidth(caption, SMALL_CHAR_PX));
    items.push(
      `<g class="gv-legend-item gv-edge gv-conditional" transform="translate(${n(at.x)},${n(at.y)})">` +
        `<path class="gv-edge-line" d="M0,${ROW_HEIGHT / 2} H${SWATCH_WIDTH}"/>` +
        `<text class="gv-legend-text" x="${SWATCH_WIDTH + 8}" y="${ROW_HEIGHT / 2 + 4}">${caption}</text></g>`,
    );
  }
  return { svg: `<g class="gv-legend">${items.join("")}</g>`, height: (row + 1) * ROW_HEIGHT };
}
