import { findWorkflowIssues } from "@governor/core";
import { loadTarget } from "../load-target.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

/** `governor validate FILE`: every problem of a workflow, each with its code and path. Returns whether it is valid. */
export async function validateCommand(
  terminal: Terminal,
  target: string,
  options: { config?: string } = {},
): Promise<boolean> {
  const { workflow } = await loadTarget(target, readWorkflowConfig(options.config));
  const issues = findWorkflowIssues(workflow);
  if (!issues.length) {
    const nodes = Object.keys(workflow.nodes).length;
    terminal.out(
      paint(
        terminal,
        "green",
        `✓ workflow "${workflow.name}" is valid (${nodes} nodes, ${workflow.edges.length} edges)`,
      ),
    );
    return true;
  }
  terminal.err(
    paint(
      terminal,
      "red",
      `✗ workflow "${workflow.name}" has ${issues.length} problem${issues.length > 1 ? "s" : ""}:`,
    ),
  );
  for (const issue of issues) terminal.err(`  [${issue.code}] ${issue.path}: ${issue.message}`);
  return false;
}
