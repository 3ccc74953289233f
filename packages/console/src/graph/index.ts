/**
 * Workflow diagrams for the console: what to draw (`diagramOf`), where (`layoutDiagram`, with
 * dagre) and the SVG (`renderGraphSvg`), styled by static/graph.css. Pure: no server, no DOM,
 * no model, no store.
 */
export type { Diagram, DiagramEdge, DiagramKind, DiagramLoop, DiagramNode } from "./diagram.js";
export { diagramOf } from "./diagram-of.js";
export type { Box, LaidOutDiagram, PlacedEdge, PlacedLoop, PlacedNode, Point } from "./layout-diagram.js";
export { layoutDiagram } from "./layout-diagram.js";
export { type GraphRenderOptions, type NodeStatus, renderGraphSvg } from "./render-graph-svg.js";
export { escapeXml } from "./xml-escape.js";
