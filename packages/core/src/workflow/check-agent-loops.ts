import type { WorkflowIssue } from "@governor/errors";
import type { MultiDirectedGraph } from "graphology";
import { stronglyConnectedComponents } from "graphology-components";
import { nodeOf, START, type Workflow } from "./define-workflow.js";

/** The edge label of an agent's way out once its turns are used up: the only one that takes no turn. */
const LIMIT = "limit";

/**
 * A workflow may loop only through an agent node: its turns are counted per run and capped
 * by `maxTurns`, so a lap that takes a turn is bounded. A lap that leaves an agent by its
 * "limit" edge takes no turn (the agent has none left and steps aside), so it is not bounded
 * by that agent. Every cycle left once the agents' turn-taking edges are removed is refused.
 */
export function checkCycles(workflow: Workflow, graph: MultiDirectedGraph): WorkflowIssue[] {
  const unbounded = graph.copy();
  for (const id of Object.keys(workflow.nodes)) {
    if (nodeOf(workflow, id)?.kind !== "agent") continue;
    for (const edge of unbounded.filterOutEdges(id, (_edge, attributes) => attributes.on !== LIMIT)) {
      unbounded.dropEdge(edge);
    }
  }
  const distance = distancesFrom(graph, START);
  const issues: WorkflowIssue[] = [];
  for (const component of stronglyConnectedComponents(unbounded)) {
    const [only] = component;
    const selfLoop = component.length === 1 && only !== undefined && unbounded.hasDirectedEdge(only, only);
    if (component.length < 2 && !selfLoop) continue;
    // Name the cycle from the node a reader meets first when following the workflow from START.
    const head = [...component].sort(
      (a, b) => (distance.get(a) ?? Number.POSITIVE_INFINITY) - (distance.get(b) ?? Number.POSITIVE_INFINITY),
    )[0] as string;
    const cycle = cycleThrough(unbounded, head) ?? [head, head];
    const agents = cycle.filter((id) => nodeOf(workflow, id)?.kind === "agent");
    const viaLimit = agents.length
      ? ` (it leaves agent ${[...new Set(agents)].join(", ")} by the "limit" edge, which takes no turn once the turns are used up)`
      : "";
    const others = component.filter((id) => !cycle.includes(id));
    const more = others.length ? `; ${others.join(", ")} loop with them` : "";
    issues.push({
      code: "WORKFLOW_CYCLE",
      path: `nodes.${head}`,
      message: `nodes ${cycle.slice(0, -1).join(" → ")} form a cycle (${cycle.at(-2)} → ${head} closes it) that no agent turn bounds${viaLimit}${more}: a workflow may loop only through an agent node, whose maxTurns caps every lap; route the loop through an agent node or remove the edge that closes it`,
    });
  }
  return issues;
}

/**
 * The shortest path from any of `sources` to `target` (breadth first), as node ids from its
 * source to `target`; undefined when none leads there. A source equal to the target is a
 * path of one node.
 */
export function shortestPath(
  graph: MultiDirectedGraph,
  sources: readonly string[],
  target: string,
): string[] | undefined {
  const previous = new Map<string, string | undefined>();
  const queue: string[] = [];
  for (const source of sources) {
    if (!graph.hasNode(source) || previous.has(source)) continue;
    previous.set(source, undefined);
    queue.push(source);
  }
  for (let index = 0; index < queue.length; index++) {
    const node = queue[index] as string;
    if (node === target) {
      const path = [node];
      for (let at = previous.get(node); at !== undefined; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const next of graph.outNeighbors(node)) {
      if (previous.has(next)) continue;
      previous.set(next, node);
      queue.push(next);
    }
  }
  return undefined;
}

/** The shortest cycle through `node`, as `node → … → node`; undefined when it is on none. */
export function cycleThrough(graph: MultiDirectedGraph, node: string): string[] | undefined {
  if (!graph.hasNode(node)) return undefined;
  if (graph.hasDirectedEdge(node, node)) return [node, node];
  const back = shortestPath(graph, graph.outNeighbors(node), node);
  return back ? [node, ...back] : undefined;
}

/** Edges from `source` to every node it reaches (breadth first). */
function distancesFrom(graph: MultiDirectedGraph, source: string): Map<string, number> {
  const distance = new Map<string, number>([[source, 0]]);
  const queue = [source];
  for (let index = 0; index < queue.length; index++) {
    const node = queue[index] as string;
    for (const next of graph.outNeighbors(node)) {
      if (distance.has(next)) continue;
      distance.set(next, (distance.get(node) ?? 0) + 1);
      queue.push(next);
    }
  }
  return distance;
}
