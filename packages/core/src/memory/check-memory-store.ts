import { GovernorError } from "@governor/errors";
import type { MemoryStore } from "@governor/memory";
import type { Workflow } from "../workflow/define-workflow.js";

/** The nodes that read or write memory: memory nodes, and model or agent steps declaring `memory`. */
export function memoryNodesOf(workflow: Workflow): string[] {
  return Object.entries(workflow.nodes)
    .filter(
      ([, node]) =>
        node?.kind === "memory-read" ||
        node?.kind === "memory-write" ||
        ((node?.kind === "model" || node?.kind === "agent") && node.memory !== undefined),
    )
    .map(([id]) => id);
}

/**
 * A workflow that uses memory is compiled with a store, or not at all: a step that cannot read
 * its facts must not run without them.
 *
 * @throws {GovernorError} CONFIG_INVALID naming the nodes when `memory` is missing.
 */
export function checkMemoryStore(workflow: Workflow, memory: MemoryStore | undefined): void {
  if (memory) return;
  const nodes = memoryNodesOf(workflow);
  if (nodes.length === 0) return;
  throw new GovernorError(
    "CONFIG_INVALID",
    `workflow "${workflow.name}" reads or writes memory at ${nodes.join(", ")}, but was compiled without a memory store: pass compile(workflow, { memory }) (GovernorStore#graphServices() includes one)`,
    { workflow: workflow.name, nodes },
  );
}
