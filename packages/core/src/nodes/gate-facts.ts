import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { PolicyEngine } from "@governor/policy";
import { contextProblem, describeValue, isPlainRecord, resourceProblem } from "../gateway/policy-facts.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import type { PolicyContext } from "../gateway/tool-gateway.js";
import type { GraphState } from "../graph/state-annotation.js";
import type { GateFactsEnv, GateNode } from "../workflow/node-definitions.js";

/** A gate's facts, read and checked, or why they could not be (the call is then denied). */
export type GateFactsResult =
  | { readonly ok: true; readonly facts: PolicyContext }
  | { readonly ok: false; readonly error: GovernorError };

/**
 * Reads the facts gate `id` puts to the policy for `call`: its `facts` callback (context and
 * resource from one read), or its `context` and `resource` callbacks. Each is awaited, since
 * facts come from databases and HTTP APIs.
 *
 * Fails closed and never throws: a callback that throws (the CRM is down), or a result that
 * is not plain data after awaiting, comes back as an error naming the gate and what it got,
 * and the caller denies the call. An empty context is not a safe default: a `forbid` that
 * reads a missing fact would not fire.
 */
export async function readGateFacts(
  id: string,
  node: GateNode<GraphState>,
  state: GraphState,
  call: ProposedCall,
  env: GateFactsEnv,
): Promise<GateFactsResult> {
  const refuse = (message: string, details: Record<string, unknown> = {}, cause?: unknown) => ({
    ok: false as const,
    error: new GovernorError(
      "POLICY_DENIED",
      `Gate ${id} cannot decide ${call.tool}: ${message}`,
      { gate: id, tool: call.tool, ...details },
      { cause },
    ),
  });
  let context: unknown;
  let resource: unknown;
  let step = node.facts ? "facts" : "context";
  try {
    if (node.facts) {
      const facts: unknown = await node.facts(state, call, env);
      if (!isPlainRecord(facts)) {
        return refuse(`facts() must return { context, resource }, got ${describeValue(facts)}`, {
          got: describeValue(facts),
        });
      }
      context = Object.hasOwn(facts, "context") ? facts.context : {};
      resource = Object.hasOwn(facts, "resource") ? facts.resource : undefined;
    } else {
      context = node.context ? await node.context(state, call, env) : {};
      step = "resource";
      resource = node.resource ? await node.resource(state, call, env) : undefined;
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return refuse(`reading its facts failed (${step}: ${message}); the call is denied`, { step }, error);
  }
  const problem = contextProblem(context) ?? resourceProblem(resource);
  if (problem) return refuse(problem, { got: problem });
  return {
    ok: true,
    facts: { context: context as Record<string, unknown>, resource: resource as PolicyContext["resource"] },
  };
}

/**
 * The gate's facts as the gateway takes them: read and checked, or, when they could not be,
 * the reason as `factsProblem`, which denies the call without asking the policy.
 */
export async function gateFactsRequest(
  id: string,
  node: GateNode<GraphState>,
  state: GraphState,
  call: ProposedCall,
  env: GateFactsEnv,
): Promise<PolicyContext> {
  const read = await readGateFacts(id, node, state, call, env);
  return read.ok ? read.facts : { factsProblem: { code: read.error.code, message: read.error.message } };
}

/**
 * Asks the policy again about an approved call, as its gate asked it (same principal, tool
 * and arguments, the gate's facts read afresh), and returns why it now denies, or undefined.
 * A rule's version names its text, not values it captures, so an approval is re-checked
 * rather than trusted. Facts that cannot be read now count as a denial: the approval cannot
 * be re-checked.
 */
export async function policyNowDenies(input: {
  readonly gateId: string;
  readonly gate: GateNode<GraphState>;
  readonly state: GraphState;
  readonly call: ProposedCall;
  readonly principal: Principal;
  readonly policy: PolicyEngine;
  readonly memory?: GateFactsEnv["memory"];
}): Promise<string | undefined> {
  const { call } = input;
  const read = await readGateFacts(input.gateId, input.gate, input.state, call, {
    principal: input.principal,
    memory: input.memory,
  });
  if (!read.ok) return read.error.message;
  const decision = await input.policy.decide({
    principal: input.principal,
    action: call.tool,
    resource: read.facts.resource,
    args: call.args,
    context: read.facts.context ?? {},
  });
  return decision.effect === "deny" ? decision.reasons.join("; ") : undefined;
}
