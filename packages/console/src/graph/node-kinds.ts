import type { DiagramKind } from "./diagram.js";

/** How a kind is drawn: its outline, the word under the label, and the room its outline takes. */
export interface KindStyle {
  readonly shape:
    | "pill"
    | "rect"
    | "rounded"
    | "diamond"
    | "hexagon"
    | "double"
    | "slanted"
    | "notched"
    | "cylinder";
  /** Shown in the node under its label, and in the legend: kinds differ in words, not only shape and colour. */
  readonly caption: string;
  /** The outline's size for text this wide (a diamond and a hexagon need room for their points). */
  readonly size: (textWidth: number) => { readonly width: number; readonly height: number };
  /** A glyph in the node's corner (the agent loop's arrow). */
  readonly badge?: string;
  /** How far the two text lines sit below the centre (a cylinder's lid takes the top). */
  readonly textDrop?: number;
}

const HEIGHT = 46;
const MIN_WIDTH = 112;
const PADDING = 28;

/** A box around the text, `extra` wider for an outline's points or a badge. */
function box(extra: number, height = HEIGHT) {
  return (text: number) => ({ width: Math.ceil(Math.max(MIN_WIDTH, text + PADDING) + extra), height });
}

/** Start and end: small, they carry no text but their word. */
function terminal() {
  return { width: 72, height: 30 };
}

/**
 * A diamond holds a text box (w, h) when w/W + h/H <= 1: taller than other nodes, and wide
 * enough that the label and caption lines stay inside its slanted sides.
 */
function diamond(text: number) {
  const height = 76;
  const lines = 34;
  return { width: Math.ceil(Math.max(MIN_WIDTH, text + 12) / (1 - lines / height)), height };
}

/**
 * One style per kind. Each governance kind has its own outline, so kinds differ for readers
 * who cannot tell the colours apart (the colours, in graph.css, are the Okabe–Ito palette,
 * chosen to stay distinct under the common colour-vision deficiencies).
 */
export const KIND_STYLES: Readonly<Record<DiagramKind, KindStyle>> = {
  start: { shape: "pill", caption: "start", size: terminal },
  end: { shape: "pill", caption: "end", size: terminal },
  precondition: { shape: "rounded", caption: "precondition", size: box(0) },
  gate: { shape: "diamond", caption: "policy gate", size: diamond },
  approval: { shape: "hexagon", caption: "human approval", size: box(36) },
  action: { shape: "double", caption: "action (side effect)", size: box(8) },
  agent: { shape: "rect", caption: "agent loop", size: box(24), badge: "↻" },
  model: { shape: "slanted", caption: "model", size: box(24) },
  task: { shape: "rect", caption: "task", size: box(0) },
  route: { shape: "notched", caption: "route", size: box(16) },
  "memory-read": { shape: "cylinder", caption: "memory read", size: box(0, 56), textDrop: 5 },
  "memory-write": { shape: "cylinder", caption: "memory write", size: box(0, 56), textDrop: 5 },
};

/** The order kinds are listed in the legend: the path of a governed call first (start and end need no key). */
export const LEGEND_ORDER: readonly DiagramKind[] = [
  "precondition",
  "gate",
  "approval",
  "action",
  "agent",
  "model",
  "task",
  "route",
  "memory-read",
  "memory-write",
];
