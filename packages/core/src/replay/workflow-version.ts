import { hashOf } from "@governor/observability";
import { z } from "zod";
import type { AnyTool } from "../tools/define-tool.js";
import { normalizeEdge, type Workflow } from "../workflow/define-workflow.js";
import { workflowFactVersion } from "../workflow/fact-version.js";

/**
 * Node fields that are words for people or for the model, not for the graph's decisions: a
 * reworded prompt does not stop a recorded run from being replayed, since the replay answers
 * with the recorded model outputs anyway.
 */
const PROSE_FIELDS = new Set(["description", "instructions"]);

/**
 * The version of everything that decides a run of `workflow`: its nodes (ids, kinds and their
 * declared data: routes' branches, the tools each step offers or guards, required scopes),
 * its edges, each tool's name, risk, scopes and zod input as JSON Schema, the policy engine's
 * version and the version of the fact code (`workflowFactVersion`). Written on every "run
 * started" record, so a replay can tell whether the workflow it holds is the one that ran.
 *
 * Callbacks (a route's `decide`, a task's `run`) are code, not data: they enter only through
 * the fact version (the declared `version`, else the gates' fact callbacks' source). Bump
 * `version` when decision code changes.
 *
 * Stable across processes and across a source or built copy of the same workflow: only
 * data is hashed, in canonical JSON.
 *
 * @throws {GovernorError} POLICY_LOAD_FAILED when a deferred policy engine cannot load (its
 *   version is its policy text's hash, read here).
 */
export function workflowVersion(workflow: Workflow): string {
  // Every start writes it: computed once per workflow object and policy version (a workflow is
  // frozen data, and the runtime already caches its compiled graph by the same object).
  const policyVersion = workflow.policy.version;
  const cached = versions.get(workflow);
  if (cached?.policyVersion === policyVersion) return cached.version;
  const version = computeVersion(workflow, policyVersion);
  versions.set(workflow, { policyVersion, version });
  return version;
}

const versions = new WeakMap<Workflow, { readonly policyVersion: string; readonly version: string }>();

function computeVersion(workflow: Workflow, policyVersion: string): string {
  const nodes = Object.keys(workflow.nodes)
    .sort()
    .map((id) => ({ id, ...plainFields(workflow.nodes[id] as unknown as Record<string, unknown>) }));
  const edges = workflow.edges
    .map(normalizeEdge)
    .map(({ from, to, on }) => [from, to, on ?? null])
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  const tools = [...workflow.tools].sort((a, b) => (a.name < b.name ? -1 : 1)).map(toolShape);
  const hash = hashOf({
    name: workflow.name,
    nodes,
    edges,
    tools,
    agent: workflow.agent,
    policy: policyVersion,
    facts: workflowFactVersion(workflow),
  });
  return `wf-${hash.slice(0, 16)}`;
}

function toolShape(tool: AnyTool) {
  return {
    name: tool.name,
    risk: tool.risk,
    scopes: [...tool.scopes].sort(),
    idempotent: tool.idempotent === true,
    fallback: tool.fallback ?? null,
    input: inputSchemaOf(tool),
  };
}

/** The tool's contract as JSON Schema; a schema zod cannot express that way is named, not hashed. */
function inputSchemaOf(tool: AnyTool): unknown {
  try {
    return z.toJSONSchema(tool.input, { unrepresentable: "any" });
  } catch {
    return "unrepresentable";
  }
}

/** A node's declared data: functions and prose dropped, nested plain data kept. */
function plainFields(node: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (PROSE_FIELDS.has(key)) continue;
    const plain = plainValue(value);
    if (plain !== undefined) kept[key] = plain;
  }
  return kept;
}

function plainValue(value: unknown): unknown {
  if (typeof value === "function" || value === undefined || typeof value === "symbol") return undefined;
  if (Array.isArray(value)) return value.map((item) => plainValue(item) ?? null);
  if (value !== null && typeof value === "object") {
    const prototype = Object.getPrototypeOf(value);
    // Only plain records: a class instance (a store, a client) is a dependency, not a declaration.
    if (prototype !== Object.prototype && prototype !== null) return undefined;
    return plainFields(value as Record<string, unknown>);
  }
  return value;
}
