import { schemaToJsonWithResolvedTypes } from "@cedar-policy/cedar-wasm/nodejs";
import { cedarLoadFailed, loadFailed, positionAt } from "./cedar-diagnostics.js";
import type { CedarSource } from "./cedar-files.js";
import { type CedarType, describeType, resolveType, type TypeJson } from "./cedar-types.js";

/** The namespace every Governor entity and action lives in. */
export const NAMESPACE = "Governor";

/**
 * The attributes Governor can put on the principal entity, `Governor::Agent`, and their
 * Cedar types. A schema declares the ones its policies use (any subset); Governor sends
 * exactly those, so strict entity validation neither misses nor rejects one.
 */
export const AGENT_ATTRIBUTES = {
  roles: "Set<String>",
  scopes: "Set<String>",
  delegated: "Bool",
  userId: "String",
} as const;

export type AgentAttribute = keyof typeof AGENT_ATTRIBUTES;

export interface LoadedSchema {
  readonly source: CedarSource;
  /** The Governor::Agent attributes this schema declares, which each request fills. */
  readonly agentAttributes: readonly AgentAttribute[];
  /**
   * Each action's context type, resolved (common types followed): request values are converted
   * by it (a number declared `decimal` becomes a decimal) and tools' contracts are checked against it.
   */
  readonly actions: ReadonlyMap<string, CedarType>;
}

/**
 * Parses a schema and checks the part of it Governor depends on: that it declares
 * `Governor::Agent` with attributes Governor knows how to fill, in the right types. A
 * mismatch found here would otherwise deny every single call at run time.
 */
export function loadSchema(source: CedarSource): LoadedSchema {
  const answer = schemaToJsonWithResolvedTypes(source.text);
  if (answer.type === "failure") throw cedarLoadFailed(source.name, source.text, answer.errors);
  const namespace = answer.json[NAMESPACE];
  const agent = namespace?.entityTypes.Agent;
  const agentMatch = /entity\s+([\w\s,]*\b)?Agent\b/.exec(source.text);
  const position = agentMatch
    ? positionAt(source.text, Buffer.byteLength(source.text.slice(0, agentMatch.index)))
    : undefined;
  if (!namespace || !agent)
    throw loadFailed(
      source.name,
      `the schema must declare \`namespace ${NAMESPACE} { entity Agent ... }\`: every request's principal is a ${NAMESPACE}::Agent`,
    );
  const shape = (agent as { shape?: TypeJson }).shape;
  const declared = shape?.attributes ?? {};
  const commonTypes = (namespace.commonTypes ?? {}) as unknown as Record<string, TypeJson>;
  for (const [name, type] of Object.entries(declared)) {
    const expected = Object.hasOwn(AGENT_ATTRIBUTES, name)
      ? AGENT_ATTRIBUTES[name as AgentAttribute]
      : undefined;
    if (!expected)
      throw loadFailed(
        source.name,
        `${NAMESPACE}::Agent declares attribute \`${name}\`, which Governor cannot fill; it fills ${Object.keys(AGENT_ATTRIBUTES).join(", ")}`,
        { position },
      );
    const actual = describeType(resolveType(type, commonTypes, NAMESPACE));
    if (actual !== expected)
      throw loadFailed(
        source.name,
        `${NAMESPACE}::Agent attribute \`${name}\` must be ${expected}, the schema declares ${actual}`,
        { position },
      );
    if (name === "userId" && type.required !== false)
      throw loadFailed(
        source.name,
        `${NAMESPACE}::Agent attribute \`userId\` must be optional (\`userId?: String\`): only a principal acting for a user has one`,
        { position },
      );
  }
  const actions = new Map<string, CedarType>();
  for (const [name, action] of Object.entries(namespace.actions ?? {})) {
    const context = (action as { appliesTo?: { context?: TypeJson } }).appliesTo?.context;
    // An action without a context declares the empty record: any argument is then undeclared.
    actions.set(
      name,
      context ? resolveType(context, commonTypes, NAMESPACE) : { kind: "Record", attributes: {} },
    );
  }
  return { source, agentAttributes: Object.keys(declared) as AgentAttribute[], actions };
}
