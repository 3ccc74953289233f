import { createHash } from "node:crypto";
import { GovernorError } from "@governor/errors";
import { checkDiagram } from "./check-diagram.js";
import type { Diagram, DiagramKind } from "./diagram.js";
import { edgePath } from "./edge-path.js";
import {
  type LaidOutDiagram,
  layoutDiagram,
  type PlacedEdge,
  type PlacedLoop,
  type PlacedNode,
} from "./layout-diagram.js";
import { legendOf } from "./legend.js";
import { KIND_STYLES } from "./node-kinds.js";
import { n, shapeOf } from "./node-shapes.js";
import { escapeXml } from "./xml-escape.js";

/** Where a run stands at a node: done, waiting for a human (or a budget), or failed there. */
export type NodeStatus = "done" | "waiting" | "failed";

export interface GraphRenderOptions {
  /** The nodes a run is at now (several while parallel branches run): marked `data-current="true"`. */
  readonly current?: readonly string[];
  /** Per node, where a run stands there. */
  readonly status?: Readonly<Record<string, NodeStatus>>;
  /**
   * Prefix of the ids inside the SVG (arrowhead, title), so several diagrams on one page keep
   * distinct ids. Letters, digits, `-` and `_`, starting with a letter. Default: from the workflow's name.
   */
  readonly idPrefix?: string;
}

const STATUSES: ReadonlySet<string> = new Set(["done", "waiting", "failed"]);
// Glyphs the common system fonts have (⏸ and ⌛ are missing from DejaVu, and drew as boxes).
const STATUS_GLYPHS: Readonly<Record<NodeStatus, string>> = { done: "✓", waiting: "…", failed: "✗" };
const ID_PREFIX = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The diagram as an SVG string for a page: each node a `<g data-node data-kind>` with its
 * outline, label and kind word, a `<title>` shown on hover and a `<desc>` with its description;
 * edges with arrowheads (outcome edges dashed, labelled); agent loops boxed; a legend of the
 * kinds used. Every text from the workflow is XML-escaped; there is no script, no event
 * handler and no `style=` (classes only, styled by static/graph.css), so a strict CSP holds.
 * Nodes named in `current` or `status` that the diagram lacks (a run of an older version of
 * the workflow) are left out: the drawing shows this version.
 *
 * @throws {GovernorError} CONFIG_INVALID for a status other than done, waiting or failed, a
 *   malformed `idPrefix`, or a diagram that cannot be drawn (see `checkDiagram`).
 * @example
 * const svg = renderGraphSvg(diagramOf(workflow), { current: ["refund_approval"], status: { refund_gate: "done" } });
 */
export function renderGraphSvg(diagram: Diagram, options: GraphRenderOptions = {}): string {
  checkDiagram(diagram);
  const status = checkedStatus(options.status);
  const current = new Set(checkedCurrent(options.current));
  const prefix = checkedPrefix(options.idPrefix, diagram.workflow);
  const laid = laidOut(diagram);
  const kinds = new Set<DiagramKind>(diagram.nodes.map((node) => node.kind));
  const width = Math.max(laid.width, 320);
  const legend = legendOf(kinds, width - 48, { conditional: laid.edges.some((edge) => edge.conditional) });
  const height = laid.height + legend.height + 16;
  const arrow = `${prefix}-arrow`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="gv-graph" data-testid="graph" data-workflow="${escapeXml(diagram.workflow)}"`,
    ` viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="group" aria-labelledby="${prefix}-title">`,
    `<title id="${prefix}-title">Workflow ${escapeXml(diagram.workflow)}: ${diagram.nodes.length} nodes</title>`,
    `<defs><marker id="${arrow}" class="gv-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>`,
    `<g class="gv-loops">${laid.loops.map(loopSvg).join("")}</g>`,
    `<g class="gv-edges">${laid.edges.map((edge) => edgeSvg(edge, arrow)).join("")}</g>`,
    `<g class="gv-edge-labels">${laid.edges.map(edgeLabelSvg).join("")}</g>`,
    `<g class="gv-nodes">${laid.nodes.map((node) => nodeSvg(node, current.has(node.id), status.get(node.id))).join("")}</g>`,
    `<g transform="translate(24,${laid.height + 4})">${legend.svg}</g>`,
    "</svg>",
  ].join("");
}

/**
 * Layouts by diagram: a run page is redrawn on every status change of a run, and only the
 * marks change; dagre takes tens of milliseconds a layout on a busy machine. Diagrams are
 * read-only values, so one is laid out once.
 */
const layouts = new WeakMap<Diagram, LaidOutDiagram>();

function laidOut(diagram: Diagram): LaidOutDiagram {
  let laid = layouts.get(diagram);
  if (!laid) {
    laid = layoutDiagram(diagram);
    layouts.set(diagram, laid);
  }
  return laid;
}

function nodeSvg(node: PlacedNode, isCurrent: boolean, status: NodeStatus | undefined): string {
  const style = KIND_STYLES[node.kind];
  const classes = ["gv-node", `gv-kind-${node.kind}`];
  if (status) classes.push(`gv-status-${status}`);
  const attributes = [
    `class="${classes.join(" ")}"`,
    `data-node="${escapeXml(node.id)}"`,
    `data-kind="${node.kind}"`,
    ...(node.loop === undefined ? [] : [`data-loop="${escapeXml(node.loop)}"`]),
    ...(isCurrent ? ['data-current="true"'] : []),
    ...(status ? [`data-status="${status}"`] : []),
    `transform="translate(${n(node.x)},${n(node.y)})"`,
    // Focusable, so the description can be reached without a mouse (the title shows on hover).
    'tabindex="0"',
  ];
  const stateWords = [isCurrent ? "current" : undefined, status].filter(Boolean).join(", ");
  const title = `${node.label} (${style.caption}${stateWords ? `; ${stateWords}` : ""}): ${node.description}`;
  // On every node, shown by graph.css only under data-current="true": the console's live script
  // moves that attribute as a run advances, and the highlight follows without a new SVG.
  const halo = `<rect class="gv-halo" x="${n(-node.width / 2 - 6)}" y="${n(-node.height / 2 - 6)}" width="${n(node.width + 12)}" height="${n(node.height + 12)}" rx="10"/>`;
  const drop = style.textDrop ?? 0;
  const text =
    style.shape === "pill"
      ? `<text class="gv-label" y="4">${escapeXml(node.shownLabel)}</text>`
      : `<text class="gv-label" y="${-3 + drop}">${escapeXml(node.shownLabel)}</text><text class="gv-caption" y="${13 + drop}">${style.caption}</text>`;
  const badge = style.badge
    ? `<text class="gv-badge" x="${n(-node.width / 2 + 12)}" y="5">${style.badge}</text>`
    : "";
  const mark = status
    ? `<g class="gv-status-mark" transform="translate(${markAt(style.shape, node.width, node.height)})"><circle r="9"/><text y="4">${STATUS_GLYPHS[status]}</text></g>`
    : "";
  return (
    `<g ${attributes.join(" ")}><title>${escapeXml(title)}</title><desc>${escapeXml(node.description)}</desc>` +
    `${halo}${shapeOf(style.shape, node.width, node.height)}${text}${badge}${mark}</g>`
  );
}

/** Where a node's status mark sits: on its top-right outline (a diamond's is its slanted side). */
function markAt(shape: string, width: number, height: number): string {
  if (shape === "diamond") return `${n(width / 4 + 4)},${n(-height / 4 - 4)}`;
  return `${n(width / 2 - 4)},${n(-height / 2 + 4)}`;
}

function edgeSvg(edge: PlacedEdge, arrow: string): string {
  const classes = edge.conditional ? "gv-edge gv-conditional" : "gv-edge";
  return (
    `<g class="${classes}" data-from="${escapeXml(edge.from)}" data-to="${escapeXml(edge.to)}">` +
    `<path class="gv-edge-line" d="${edgePath(edge.points)}" marker-end="url(#${arrow})"/></g>`
  );
}

function edgeLabelSvg(edge: PlacedEdge): string {
  if (edge.label === undefined || edge.shownLabel === undefined || !edge.labelBox) return "";
  const { x, y, width, height } = edge.labelBox;
  return (
    `<g class="gv-edge-label" transform="translate(${n(x)},${n(y)})">` +
    `<title>${escapeXml(`${edge.from} → ${edge.to}: ${edge.label}`)}</title>` +
    `<rect x="${n(-width / 2)}" y="${n(-height / 2)}" width="${n(width)}" height="${n(height)}" rx="3"/>` +
    `<text y="4">${escapeXml(edge.shownLabel)}</text></g>`
  );
}

/** Room under a loop's stages for its caption: dagre's box leaves none, and ranksep leaves more than this. */
const LOOP_CAPTION_HEIGHT = 18;

function loopSvg(loop: PlacedLoop): string {
  const left = loop.x - loop.width / 2;
  const top = loop.y - loop.height / 2;
  const height = loop.height + LOOP_CAPTION_HEIGHT;
  return (
    `<g class="gv-loop" data-loop="${escapeXml(loop.id)}">` +
    `<rect x="${n(left)}" y="${n(top)}" width="${n(loop.width)}" height="${n(height)}" rx="12"/>` +
    `<text x="${n(left + 10)}" y="${n(top + height - 7)}">${escapeXml(loop.label)}</text></g>`
  );
}

function checkedStatus(status: GraphRenderOptions["status"]): Map<string, NodeStatus> {
  const checked = new Map<string, NodeStatus>();
  for (const [node, value] of Object.entries(status ?? {})) {
    if (typeof value !== "string" || !STATUSES.has(value)) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `Graph status of node "${node}" is ${JSON.stringify(value)}: use done, waiting or failed`,
        { path: `status.${node}` },
      );
    }
    checked.set(node, value as NodeStatus);
  }
  return checked;
}

function checkedCurrent(current: GraphRenderOptions["current"]): readonly string[] {
  if (current === undefined) return [];
  if (!Array.isArray(current) || current.some((id) => typeof id !== "string")) {
    throw new GovernorError("CONFIG_INVALID", "Graph option current must be a list of node ids", {
      path: "current",
    });
  }
  return current;
}

function checkedPrefix(prefix: string | undefined, workflow: string): string {
  if (prefix === undefined) return `gv-${createHash("sha256").update(workflow).digest("hex").slice(0, 10)}`;
  if (typeof prefix !== "string" || !ID_PREFIX.test(prefix)) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Graph option idPrefix ${JSON.stringify(prefix)} is not an id prefix: letters, digits, - and _, starting with a letter`,
      { path: "idPrefix" },
    );
  }
  return prefix;
}
