import type { NodeKind } from "@governor/core";

/**
 * What a diagram node is: a workflow node kind, or where runs start and end. Nodes an agent
 * loop compiles to carry the governance kind of their stage (its checks are a precondition,
 * its tools an action), as the compiled graph's metadata says.
 */
export type DiagramKind = NodeKind | "start" | "end";

/** One node a user sees: a node of the compiled graph, with what it does in one line. */
export interface DiagramNode {
  /** The compiled graph's node name (what a run records as its current node). */
  readonly id: string;
  /** The text drawn in the node. */
  readonly label: string;
  readonly kind: DiagramKind;
  /** One line: the definition's own description, else one derived from the node's config. */
  readonly description: string;
  /** The agent node whose loop this node belongs to (its turn, checks, gate, tools, approval). */
  readonly loop?: string;
}

/** One edge. `label` is the outcome that takes it; `conditional` when it is one of several exits. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly conditional: boolean;
}

/** An agent node's loop: the nodes drawn inside one box, and the line that box carries. */
export interface DiagramLoop {
  readonly id: string;
  readonly label: string;
}

/** A workflow as a user should see it: nodes in declaration order, then their edges. */
export interface Diagram {
  readonly workflow: string;
  readonly nodes: readonly DiagramNode[];
  readonly edges: readonly DiagramEdge[];
  readonly loops: readonly DiagramLoop[];
}
