import type { WorkflowIssue } from "@governor/errors";
import { factScopeSchema } from "@governor/memory";
import type { MemoryReadNode, MemoryWriteNode, StepMemory } from "../memory/memory-node-definitions.js";

/**
 * The fields of a step's memory declaration (a memory-read node's own, or a model or agent
 * step's `memory`): partitions as a list or a function of the state, keys likewise, a query
 * function and a positive token budget. A fixed scope is checked as the store would check it,
 * so a typo in a tenant fails here rather than on the first run.
 */
export function checkStepMemory(path: string, memory: StepMemory<unknown> | undefined): WorkflowIssue[] {
  const issues: WorkflowIssue[] = [];
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: at ? `${path}.${at}` : path, message });
  if (memory === null || typeof memory !== "object") {
    invalid("", "must be { scopes, query?, keys?, maxTokens? }");
    return issues;
  }
  const { scopes, keys, query, maxTokens } = memory as unknown as Record<string, unknown>;
  if (typeof scopes !== "function") {
    if (!Array.isArray(scopes) || scopes.length === 0) {
      invalid("scopes", "must name the partitions to read: a non-empty list of scopes, or (state) => scopes");
    } else {
      scopes.forEach((scope, i) => {
        const parsed = factScopeSchema.safeParse(scope);
        if (!parsed.success) {
          invalid(
            `scopes[${i}]`,
            `is not a memory scope ({ tenant, agent?, user?, thread? }): ${parsed.error.issues[0]?.message}`,
          );
        }
      });
    }
  }
  if (keys !== undefined && typeof keys !== "function") {
    if (!Array.isArray(keys)) invalid("keys", "must be a list of { entity, attribute }, or (state) => keys");
    else {
      keys.forEach((key, i) => {
        const { entity, attribute } = (key ?? {}) as Record<string, unknown>;
        if (
          typeof entity !== "string" ||
          !entity.trim() ||
          typeof attribute !== "string" ||
          !attribute.trim()
        ) {
          invalid(`keys[${i}]`, "must be { entity, attribute } with non-empty strings");
        }
      });
    }
  }
  if (query !== undefined && typeof query !== "function") invalid("query", "must be (state) => string");
  if (
    maxTokens !== undefined &&
    !(typeof maxTokens === "number" && Number.isInteger(maxTokens) && maxTokens > 0)
  ) {
    invalid("maxTokens", "must be a positive whole number of tokens");
  }
  return issues;
}

/** A memory-read node: its memory fields, the state fields it writes, and its time-travel callbacks. */
export function checkMemoryReadNode(
  path: string,
  node: MemoryReadNode<unknown>,
  stateFields: ReadonlySet<string> | undefined,
): WorkflowIssue[] {
  const issues = checkStepMemory(path, node);
  issues.push(...checkStateField(path, "into", node.into, stateFields, true));
  issues.push(...checkStateField(path, "factsInto", node.factsInto, stateFields, false));
  if (node.factsInto !== undefined && node.factsInto === node.into) {
    issues.push({
      code: "WORKFLOW_INVALID",
      path: `${path}.factsInto`,
      message: "must differ from into: the text and the facts would overwrite each other",
    });
  }
  for (const field of ["knownAt", "validAt"] as const) {
    if (node[field] !== undefined && typeof node[field] !== "function") {
      issues.push({
        code: "WORKFLOW_INVALID",
        path: `${path}.${field}`,
        message: "must be (state) => Date | ISO string | undefined",
      });
    }
  }
  return issues;
}

/**
 * A memory-write node: its writes come from `facts(state)` or from a model's extraction (one,
 * not both), and its events go to a state field.
 */
export function checkMemoryWriteNode(
  path: string,
  node: MemoryWriteNode<unknown>,
  stateFields: ReadonlySet<string> | undefined,
): WorkflowIssue[] {
  const issues = checkStateField(path, "into", node.into, stateFields, false);
  const invalid = (at: string, message: string) =>
    issues.push({ code: "WORKFLOW_INVALID", path: `${path}.${at}`, message });
  const { facts, extract } = node as unknown as Record<string, unknown>;
  if (facts === undefined && extract === undefined) {
    invalid(
      "facts",
      "a memory-write node needs facts ((state) => fact writes) or extract ({ scope, authorityOf })",
    );
  } else if (facts !== undefined && extract !== undefined) {
    invalid("extract", "declare facts or extract, not both: which batch would be written?");
  } else if (facts !== undefined && typeof facts !== "function") {
    invalid("facts", "must be (state) => fact writes (or a Promise of them)");
  }
  if (extract !== undefined) {
    const { scope, authorityOf, from, model } = (extract ?? {}) as Record<string, unknown>;
    if (extract === null || typeof extract !== "object")
      invalid("extract", "must be { scope, authorityOf, from?, model? }");
    else {
      if (typeof scope !== "function" && !factScopeSchema.safeParse(scope).success) {
        invalid(
          "extract.scope",
          "must be a memory scope ({ tenant, agent?, user?, thread? }) or (state) => scope",
        );
      }
      if (typeof authorityOf !== "function") {
        invalid(
          "extract.authorityOf",
          "must be (message, index) => { by, weight, maxKind? }: the workflow, never the model, says who speaks with what authority",
        );
      }
      if (from !== undefined && typeof from !== "function")
        invalid("extract.from", "must be (state) => messages");
      if (model !== undefined && (typeof model !== "string" || model === "")) {
        invalid("extract.model", "must name one of compile()'s models");
      }
    }
  }
  return issues;
}

function checkStateField(
  path: string,
  field: string,
  value: unknown,
  stateFields: ReadonlySet<string> | undefined,
  required: boolean,
): WorkflowIssue[] {
  if (value === undefined && !required) return [];
  if (typeof value !== "string" || value === "") {
    return [
      {
        code: "WORKFLOW_INVALID",
        path: `${path}.${field}`,
        message: "must name a field of the state schema",
      },
    ];
  }
  if (stateFields && !stateFields.has(value)) {
    return [
      {
        code: "WORKFLOW_INVALID",
        path: `${path}.${field}`,
        message: `"${value}" is not a field of the state schema; add it (e.g. ${value}: z.string().optional())`,
      },
    ];
  }
  return [];
}
