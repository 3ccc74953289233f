import type { CedarValueJson, Context, EntityJson, TypeAndId } from "@cedar-policy/cedar-wasm/nodejs";
import { type AgentAttribute, NAMESPACE } from "./cedar-schema.js";
import type { CedarType } from "./cedar-types.js";
import { CedarValueError, toCedarRecord, toCedarValue } from "./cedar-value.js";
import type { PolicyRequest } from "./decision.js";

/** A Governor request in Cedar's terms, ready for `statefulIsAuthorized`. */
export interface CedarRequest {
  readonly principal: TypeAndId;
  readonly action: TypeAndId;
  readonly resource: TypeAndId;
  readonly context: Context;
  readonly entities: EntityJson[];
}

/** The resource type used when a gate names none: the call acts on the tool itself. */
export const DEFAULT_RESOURCE_TYPE = "Tool";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Maps a Governor policy request to a Cedar request. Everything lives in the `Governor`
 * namespace so a schema reads as one vocabulary:
 *
 * - principal: `Governor::Agent::"<agentId>"`, always the agent, also when it acts for a
 *   user. Attributes (each sent only if the schema declares it): `roles` and `scopes`
 *   (Set<String>; scopes already intersected for delegation), `delegated` (Bool) and
 *   `userId` (optional String, present only when acting for a user). So a policy reads
 *   `principal.scopes.contains("refunds:write")` or `principal.delegated && principal.userId == "42"`.
 * - action: `Governor::Action::"<tool name>"`.
 * - resource: `Governor::<type>::"<id>"` from the gate's resource (type a plain identifier,
 *   such as `Order`), else `Governor::Tool::"<tool name>"`. Resource entities carry no
 *   attributes (Governor knows only the type and id): facts about them go in the context.
 * - context: the workflow's run facts at the top level, and the tool's validated
 *   arguments under `args` (a reserved name). Values convert by {@link toCedarValue}, led by
 *   the action's context type in the schema: a number declared `decimal` becomes a decimal,
 *   a list a set (refused if that would merge equal items), absent values are left out.
 *
 * @throws {CedarValueError} when the request holds something Cedar cannot represent.
 */
export function toCedarRequest(
  request: PolicyRequest,
  agentAttributes: readonly AgentAttribute[],
  contextType?: CedarType,
): CedarRequest {
  const { principal } = request;
  // Roles and scopes are sets by meaning: a role granted twice is granted once.
  const all: Record<AgentAttribute, unknown> = {
    roles: new Set(principal.roles ?? []),
    scopes: new Set(principal.scopes),
    delegated: principal.kind === "delegated",
    userId: principal.userId,
  };
  const attrs: Record<string, CedarValueJson> = {};
  for (const name of agentAttributes) {
    const value = toCedarValue(all[name], `principal.${name}`);
    if (value !== undefined) attrs[name] = value;
  }
  const agent: TypeAndId = { type: `${NAMESPACE}::Agent`, id: principal.agentId };

  if ("args" in request.context)
    throw new CedarValueError(
      "context.args is reserved for the tool's arguments: give the run fact another name",
    );
  const attributes = contextType?.kind === "Record" ? contextType.attributes : {};
  const context = {
    ...toCedarRecord(request.context, "context", contextType),
    args: toCedarRecord(request.args, "context.args", attributes.args?.type),
  };

  const resourceType = request.resource?.type ?? DEFAULT_RESOURCE_TYPE;
  if (!IDENTIFIER.test(resourceType))
    throw new CedarValueError(
      `resource type "${resourceType}" is not a Cedar identifier: name it like Order (Governor adds the ${NAMESPACE}:: namespace)`,
    );
  return {
    principal: agent,
    action: { type: `${NAMESPACE}::Action`, id: request.action },
    resource: { type: `${NAMESPACE}::${resourceType}`, id: request.resource?.id ?? request.action },
    context,
    entities: [{ uid: agent, attrs, parents: [] }],
  };
}
