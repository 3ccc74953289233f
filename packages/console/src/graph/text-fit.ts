/**
 * Text sizes for layout without a browser: the server cannot measure glyphs, so widths are
 * estimated from the character count at the stylesheet's font sizes (graph.css), on the
 * generous side so a label never overflows its node; longer labels are cut with an ellipsis
 * (the whole text stays in the node's <title> and <desc>).
 */

/** Average advance of a character at the node label's 13px (wide enough for sans-serif capitals and digits). */
export const LABEL_CHAR_PX = 7.8;
/** At the 11px of edge labels and captions. */
export const SMALL_CHAR_PX = 6.6;
/** The most characters a node label shows before it is cut. */
export const MAX_LABEL_CHARS = 30;
/** The most characters an edge label shows before it is cut. */
export const MAX_EDGE_LABEL_CHARS = 24;

/** `text` cut to `max` characters (code points, so no surrogate pair is split), ending in "…" when cut. */
export function fitText(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

export function textWidth(text: string, charPx: number): number {
  return [...text].length * charPx;
}
