import { GovernorError } from "@governor/errors";
import type { Diagram } from "./diagram.js";
import { KIND_STYLES } from "./node-kinds.js";

/**
 * Refuses a diagram that cannot be drawn truthfully. `diagramOf` always makes a sound one; a
 * diagram built by hand could name an edge's end or a loop that is not there (dagre would
 * invent a node of no size for it) or repeat an id (two nodes drawn as one).
 *
 * @throws {GovernorError} CONFIG_INVALID naming the node, edge or loop and what is wrong with it.
 */
export function checkDiagram(diagram: Diagram): void {
  const refuse = (path: string, problem: string): never => {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Diagram of "${String(diagram?.workflow)}": ${path} ${problem}`,
      {
        workflow: diagram?.workflow,
        path,
      },
    );
  };
  if (typeof diagram?.workflow !== "string") refuse("workflow", "must be the workflow's name");
  for (const field of ["nodes", "edges", "loops"] as const) {
    if (!Array.isArray(diagram[field])) refuse(field, "must be a list");
  }
  const loops = new Set<string>();
  diagram.loops.forEach((loop, index) => {
    if (typeof loop?.id !== "string" || typeof loop.label !== "string")
      refuse(`loops[${index}]`, "needs a text id and label");
    if (loops.has(loop.id)) refuse(`loops[${index}]`, `repeats loop "${loop.id}"`);
    loops.add(loop.id);
  });
  const ids = new Set<string>();
  diagram.nodes.forEach((node, index) => {
    const path = `nodes[${index}]`;
    if (
      typeof node?.id !== "string" ||
      typeof node.label !== "string" ||
      typeof node.description !== "string"
    ) {
      refuse(path, "needs a text id, label and description");
    }
    if (ids.has(node.id)) refuse(path, `repeats node "${node.id}"`);
    if (typeof node.kind !== "string" || !Object.hasOwn(KIND_STYLES, node.kind)) {
      refuse(path, `("${node.id}") has kind "${String(node.kind)}", which the console cannot draw`);
    }
    if (node.loop !== undefined && !loops.has(node.loop))
      refuse(path, `("${node.id}") is in loop "${node.loop}", which the diagram lacks`);
    ids.add(node.id);
  });
  diagram.edges.forEach((edge, index) => {
    const path = `edges[${index}]`;
    if (!ids.has(edge?.from) || !ids.has(edge.to))
      refuse(
        path,
        `joins "${String(edge?.from)}" to "${String(edge?.to)}": both must be nodes of the diagram`,
      );
    if (edge.label !== undefined && typeof edge.label !== "string")
      refuse(path, "has a label that is not text");
  });
}
