import dagre from "@dagrejs/dagre";
import { checkDiagram } from "./check-diagram.js";
import type { Diagram, DiagramLoop, DiagramNode } from "./diagram.js";
import { KIND_STYLES } from "./node-kinds.js";
import {
  fitText,
  LABEL_CHAR_PX,
  MAX_EDGE_LABEL_CHARS,
  MAX_LABEL_CHARS,
  SMALL_CHAR_PX,
  textWidth,
} from "./text-fit.js";

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A node placed: its centre and size. */
export interface PlacedNode extends DiagramNode {
  /** The label as drawn (cut to fit; the whole id stays in `label`). */
  readonly shownLabel: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** One drawn edge: parallel edges of the diagram (e.g. "done" and "failed" to the same node) are one line. */
export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  /** The outcomes that take it, joined ("done / failed"). */
  readonly label?: string;
  /** The label as drawn, cut to fit (the whole of it is the label group's <title>). */
  readonly shownLabel?: string;
  readonly conditional: boolean;
  readonly points: readonly Point[];
  /** The label's centre and size. */
  readonly labelBox?: Box;
}

/** An agent loop's box around its stages. */
export interface PlacedLoop extends DiagramLoop, Box {}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface LaidOutDiagram {
  readonly workflow: string;
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
  readonly loops: readonly PlacedLoop[];
}

const MARGIN = 24;

/**
 * Places a diagram top to bottom with dagre. Deterministic: the same diagram gives the same
 * coordinates (nodes and edges are added in the diagram's order; dagre draws no random numbers),
 * so a page re-rendered on every status change does not move under the reader.
 *
 * @throws {GovernorError} CONFIG_INVALID for a diagram that cannot be drawn (see `checkDiagram`).
 */
export function layoutDiagram(diagram: Diagram): LaidOutDiagram {
  checkDiagram(diagram);
  const graph = new dagre.graphlib.Graph({ multigraph: false, compound: diagram.loops.length > 0 });
  graph.setGraph({ rankdir: "TB", nodesep: 36, ranksep: 52, edgesep: 16, marginx: MARGIN, marginy: MARGIN });
  graph.setDefaultEdgeLabel(() => ({}));
  const shown = new Map<string, string>();
  for (const node of diagram.nodes) {
    const label = fitText(node.label, MAX_LABEL_CHARS);
    shown.set(node.id, label);
    graph.setNode(node.id, sizeOf(node, label));
  }
  const clusters = clusterIds(diagram);
  for (const loop of diagram.loops) graph.setNode(clusters.get(loop.id) as string, { width: 0, height: 0 });
  for (const node of diagram.nodes) {
    if (node.loop !== undefined) graph.setParent(node.id, clusters.get(node.loop) as string);
  }
  const merged = mergeParallel(diagram);
  for (const edge of merged) {
    const label = edge.label === undefined ? undefined : fitText(edge.label, MAX_EDGE_LABEL_CHARS);
    graph.setEdge(edge.from, edge.to, {
      label,
      ...(label === undefined
        ? {}
        : { width: textWidth(label, SMALL_CHAR_PX) + 10, height: 16, labelpos: "c" }),
    });
  }
  dagre.layout(graph);

  const nodes = diagram.nodes.map((node): PlacedNode => {
    const placed = graph.node(node.id);
    return { ...node, shownLabel: shown.get(node.id) as string, ...box(placed) };
  });
  const edges = merged.map((edge): PlacedEdge => {
    const placed = graph.edge(edge.from, edge.to);
    const shownLabel = placed.label as string | undefined;
    return {
      from: edge.from,
      to: edge.to,
      conditional: edge.conditional,
      points: (placed.points ?? []).map((point: Point) => ({ x: round(point.x), y: round(point.y) })),
      ...(edge.label === undefined || shownLabel === undefined
        ? {}
        : {
            label: edge.label,
            shownLabel,
            labelBox: box({ x: placed.x, y: placed.y, width: placed.width, height: placed.height }),
          }),
    };
  });
  const loops = diagram.loops.map(
    (loop): PlacedLoop => ({
      ...loop,
      ...box(graph.node(clusters.get(loop.id) as string)),
    }),
  );
  const size = graph.graph();
  return {
    workflow: diagram.workflow,
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes,
    edges,
    loops,
  };
}

function sizeOf(node: DiagramNode, label: string): { width: number; height: number } {
  const style = KIND_STYLES[node.kind];
  if (style.shape === "pill") return style.size(0);
  return style.size(Math.max(textWidth(label, LABEL_CHAR_PX), textWidth(style.caption, SMALL_CHAR_PX)));
}

/** Ids for the loop boxes that no node id can take (node ids are the author's data). */
function clusterIds(diagram: Diagram): Map<string, string> {
  const taken = new Set(diagram.nodes.map((node) => node.id));
  const ids = new Map<string, string>();
  diagram.loops.forEach((loop, index) => {
    let id = `loop-box-${index}`;
    while (taken.has(id)) id = `_${id}`;
    taken.add(id);
    ids.set(loop.id, id);
  });
  return ids;
}

interface MergedEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly conditional: boolean;
}

function mergeParallel(diagram: Diagram): MergedEdge[] {
  const byEnds = new Map<string, MergedEdge>();
  for (const edge of diagram.edges) {
    const key = JSON.stringify([edge.from, edge.to]);
    const seen = byEnds.get(key);
    const labels = [seen?.label, edge.label].filter((label): label is string => label !== undefined);
    byEnds.set(key, {
      from: edge.from,
      to: edge.to,
      ...(labels.length ? { label: labels.join(" / ") } : {}),
      conditional: (seen?.conditional ?? false) || edge.conditional,
    });
  }
  return [...byEnds.values()];
}

function box(placed: { x?: number; y?: number; width?: number; height?: number }): Box {
  return {
    x: round(placed.x ?? 0),
    y: round(placed.y ?? 0),
    width: round(placed.width ?? 0),
    height: round(placed.height ?? 0),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
