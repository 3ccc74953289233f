import { createHash } from "node:crypto";
import { preparsePolicySet, preparseSchema, statefulIsAuthorized } from "@cedar-policy/cedar-wasm/nodejs";
import { checkArgsAgainstSchema } from "./cedar-contracts.js";
import { cedarLoadFailed, cedarMessage } from "./cedar-diagnostics.js";
import { CedarExplainer } from "./cedar-explain.js";
import { type CedarSources, readCedarDirectory, readCedarFiles } from "./cedar-files.js";
import { type CedarPolicyInfo, governorEffect, loadPolicySet } from "./cedar-policy-set.js";
import { type CedarRequest, toCedarRequest } from "./cedar-request.js";
import { type AgentAttribute, loadSchema } from "./cedar-schema.js";
import { requestShape } from "./cedar-shape.js";
import type { CedarType } from "./cedar-types.js";
import type {
  ContractMismatch,
  ContractTool,
  PolicyDecision,
  PolicyEngine,
  PolicyEvaluation,
  PolicyExplanation,
  PolicyRequest,
} from "./decision.js";
import { DecisionCache } from "./decision-cache.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * A policy engine over Cedar policy files, evaluated in-process by `@cedar-policy/cedar-wasm`.
 *
 * Policies and their schema live as `.cedar` / `.cedarschema` files beside each workflow.
 * Loading parses them, validates every policy against the schema and pre-parses both into
 * Cedar's cache, so a decision costs one `statefulIsAuthorized` call; any syntax or
 * validation error fails the load (POLICY_LOAD_FAILED, naming file, line and policy id)
 * rather than a decision later. How a request becomes Cedar's principal, action, resource
 * and context is described on {@link toCedarRequest}.
 *
 * Annotations carry what Cedar has no words for:
 * - `@id("refund-over-limit-needs-approval")`: the policy's id in every decision (required).
 * - `@reason("...")`: the reason a decision gives (defaults to the id).
 * - `@approval("required")` on a permit: when it is satisfied on a call that ordinary
 *   permits allow, the decision is require-approval. It never permits on its own.
 *
 * Decisions: a satisfied forbid denies, naming the forbids; with no ordinary permit the call is
 * denied ("no policy permits <tool>", then each permit whose scope names the tool and why it did
 * not apply: its first false condition, an error, or another principal or resource); otherwise satisfied approval policies ask a human, and
 * failing that the permits allow. A request Cedar cannot evaluate (a context that does not
 * match the schema, a fraction where the schema declares `Long`, a list a set would shrink,
 * a policy that errors) is denied with the error as its reason, naming the argument's path:
 * the engine never allows on an error.
 *
 * `explain` gives the same decision with every policy's outcome, as a dry run; `checkContracts`
 * compares each tool's zod contract with its action's `context.args` before any run.
 *
 * @example
 * ```ts
 * const policy = CedarPolicyEngine.fromDirectory(new URL("../policies/", import.meta.url));
 * policy.decide({ principal, action: "issue_refund", resource: { type: "Order", id: "A-1" }, args, context });
 * ```
 */
export class CedarPolicyEngine implements PolicyEngine {
  /** `cedar-` and a short SHA-256 of the schema and policy texts: approvals are bound to it. */
  readonly version: string;
  /** Every loaded policy by id, with its reason and where it was written. */
  readonly policies: ReadonlyMap<string, CedarPolicyInfo>;
  /** Cedar validator warnings (e.g. an impossible policy), by file and line. */
  readonly warnings: readonly string[];
  readonly #agentAttributes: readonly AgentAttribute[];
  readonly #actionContexts: ReadonlyMap<string, CedarType>;
  readonly #schemaName: string;
  readonly #policySetId: string;
  /**
   * Built on the first explanation or no-permit denial, not at load: it parses every policy
   * again into probes, work most processes (a CLI run, a service that only allows) never need.
   */
  #explainer: CedarExplainer | undefined;
  readonly #newExplainer: () => CedarExplainer;

  /** Loads the `*.cedar` files and the one `*.cedarschema` of a directory, synchronously. */
  static fromDirectory(dir: string | URL): CedarPolicyEngine {
    return new CedarPolicyEngine(readCedarDirectory(dir));
  }

  /** Loads an explicit list of `*.cedar` files and exactly one `*.cedarschema`. */
  static fromFiles(files: readonly (string | URL)[]): CedarPolicyEngine {
    return new CedarPolicyEngine(readCedarFiles(files));
  }

  /** Loads policies from texts already in memory (names are used in error messages). */
  constructor(sources: CedarSources) {
    const schema = loadSchema(sources.schema);
    const set = loadPolicySet(sources.policies, sources.schema);
    // Texts only, sorted: the same policies give the same version from any directory or file order,
    // so an approval requested in one process is still valid when another resumes the run.
    const schemaHash = sha256(sources.schema.text);
    const hash = sha256([schemaHash, ...sources.policies.map((file) => sha256(file.text)).sort()].join("\n"));
    this.version = `cedar-${hash.slice(0, 12)}`;
    this.policies = set.policies;
    this.warnings = set.warnings;
    this.#agentAttributes = schema.agentAttributes;
    this.#actionContexts = schema.actions;
    // Cedar caches pre-parsed sets by name for the life of the process; naming them by content
    // makes a reload of the same files reuse the entry instead of adding another.
    this.#schemaName = `governor-schema-${schemaHash}`;
    this.#policySetId = `governor-policies-${hash}`;
    const schemaAnswer = preparseSchema(this.#schemaName, sources.schema.text);
    if (schemaAnswer.type === "failure")
      throw cedarLoadFailed(sources.schema.name, sources.schema.text, schemaAnswer.errors);
    this.#newExplainer = () => new CedarExplainer(set.texts, hash);
    const setAnswer = preparsePolicySet(this.#policySetId, { staticPolicies: { ...set.texts } });
    if (setAnswer.type === "failure")
      throw cedarLoadFailed(sources.policies[0]?.name ?? sources.schema.name, "", setAnswer.errors);
  }

  /** Request shapes Cedar has validated against the schema once; see cedar-shape.ts. */
  readonly #validatedShapes = new Set<string>();

  /**
   * Decisions already made, by the exact request Cedar read: see {@link decide}. Per engine, and
   * an engine's policies and schema never change, so the version in the key is belt and braces.
   */
  readonly #decisions = new DecisionCache();

  /**
   * Decides a request. The same request decided again is answered from a bounded LRU cache
   * keyed by the engine's version and the JSON text of the Cedar request: principal (with its
   * roles, scopes, delegation and user), action, resource, the whole context with the
   * arguments, and the entities. That text is exactly what `cedar-wasm` itself reads (it
   * passes the call through `JSON.stringify`), so two requests with one key are one request to
   * Cedar, and any difference (one nested context value, one scope, one attribute) misses.
   * Only answers Cedar gave are kept: a request it could not evaluate is decided afresh.
   */
  decide(request: PolicyRequest): PolicyDecision {
    const prepared = this.#prepare(request);
    if ("decision" in prepared) return prepared.decision;
    const key = `${this.version}\n${prepared.key}`;
    const hit = this.#decisions.get(key);
    if (hit) return hit;
    const run = this.#evaluateCedar(request.action, prepared.cedarRequest);
    return run.satisfied ? this.#decisions.set(key, run.decision) : run.decision;
  }

  /**
   * The decision `decide` gives, with how every policy fared and why: satisfied, not
   * applicable (its scope names another action, principal or resource type), not satisfied
   * (naming the first condition that is false) or erroring (naming the condition and Cedar's
   * error). Pure: nothing is journaled, audited or run. For policy tests and what-if replays.
   */
  explain(request: PolicyRequest): PolicyExplanation {
    const run = this.#evaluate(request);
    // A denial for want of a permit has probed already; reuse its answer rather than ask Cedar again.
    const probed =
      run.probed ?? (run.cedarRequest ? this.#probe(run.cedarRequest) : new Map<string, PolicyEvaluation>());
    const policies = [...this.policies.values()].map(
      (info) => probed.get(info.id) ?? fallbackEvaluation(info, run),
    );
    return { decision: run.decision, policies };
  }

  #probe(request: CedarRequest): Map<string, PolicyEvaluation> {
    this.#explainer ??= this.#newExplainer();
    return this.#explainer.evaluate(request, this.#schemaName, this.policies);
  }

  #evaluate(request: PolicyRequest): Evaluation {
    const prepared = this.#prepare(request);
    return "decision" in prepared ? prepared : this.#evaluateCedar(request.action, prepared.cedarRequest);
  }

  /** The request in Cedar's terms and its cache key, or the denial when it has none. */
  #prepare(
    request: PolicyRequest,
  ): { cedarRequest: CedarRequest; key: string } | { decision: PolicyDecision } {
    try {
      const cedarRequest = toCedarRequest(
        request,
        this.#agentAttributes,
        this.#actionContexts.get(request.action),
      );
      return { cedarRequest, key: JSON.stringify(cedarRequest) };
    } catch (error) {
      return {
        decision: this.#decision("deny", [], [error instanceof Error ? error.message : String(error)]),
      };
    }
  }

  #evaluateCedar(action: string, cedarRequest: CedarRequest): Evaluation {
    let answer: ReturnType<typeof statefulIsAuthorized>;
    let shape: string | undefined;
    try {
      shape = requestShape(cedarRequest);
      answer = statefulIsAuthorized({
        ...cedarRequest,
        preparsedSchemaName: this.#schemaName,
        preparsedPolicySetId: this.#policySetId,
        // Validation against the schema is most of a decision's cost and depends only on the
        // request's types: validate each new shape, then trust it (see cedar-shape.ts).
        validateRequest: !this.#validatedShapes.has(shape),
      });
    } catch (error) {
      return {
        decision: this.#decision("deny", [], [error instanceof Error ? error.message : String(error)]),
      };
    }
    if (answer.type === "failure")
      return {
        decision: this.#decision(
          "deny",
          [],
          answer.errors.map((error) => `Cedar cannot evaluate this request: ${cedarMessage(error)}`),
        ),
      };
    const { decision, diagnostics } = answer.response;
    if (shape !== undefined && !diagnostics.errors.length) this.#validatedShapes.add(shape);
    const satisfied = new Set(diagnostics.reason);
    const erroring = new Map(diagnostics.errors.map((error) => [error.policyId, cedarMessage(error.error)]));
    const evaluated = (result: PolicyDecision): Evaluation => ({
      decision: result,
      cedarRequest,
      satisfied,
      erroring,
    });
    // Cedar skips a policy that errors; a skipped forbid could let a call through, so any error denies.
    if (erroring.size)
      return evaluated(
        this.#decision(
          "deny",
          [...erroring.keys()],
          [...erroring].map(([id, message]) => `policy "${id}" failed to evaluate: ${message}`),
        ),
      );
    // In file order, so the same decision always lists its policies the same way.
    const determining = [...this.policies.values()].filter((policy) => satisfied.has(policy.id));
    if (decision === "deny" && determining.length) return evaluated(this.#decided("deny", determining));
    const permits = determining.filter((policy) => !policy.approval);
    const approvals = determining.filter((policy) => policy.approval);
    if (!permits.length) {
      const probed = this.#probe(cedarRequest);
      return { ...evaluated(this.#noPermit(action, probed, approvals)), probed };
    }
    if (approvals.length) return evaluated(this.#decided("require-approval", approvals));
    return evaluated(this.#decided("allow", permits));
  }

  /**
   * A denial for want of a permit, saying which permits speak about the action and why none
   * applied: the first false condition, an error, or a scope naming another principal or resource.
   */
  #noPermit(
    action: string,
    probed: ReadonlyMap<string, PolicyEvaluation>,
    approvals: readonly CedarPolicyInfo[],
  ): PolicyDecision {
    const considered = [...this.policies.values()]
      .filter((policy) => policy.effect === "permit" && !policy.approval)
      .map((policy) => probed.get(policy.id))
      .filter(
        (item): item is PolicyEvaluation =>
          item !== undefined && item.detail !== "its scope names another action",
      );
    const reasons = considered.length
      ? [
          `no policy permits ${action}`,
          ...considered.map((item) =>
            item.outcome === "error"
              ? `permit "${item.id}" could not be evaluated: ${item.detail}`
              : `permit "${item.id}" did not apply: ${item.detail}`,
          ),
        ]
      : [`no policy permits ${action}: no permit's scope names this action`];
    if (approvals.length)
      reasons.push(
        `approval ${approvals.map((policy) => `"${policy.id}"`).join(", ")} matched, but an approval policy never permits on its own`,
      );
    return this.#decision("deny", [], reasons);
  }

  /**
   * Checks each tool's zod contract against the `context.args` its action declares in the
   * schema (see {@link checkArgsAgainstSchema}); `validate()` reports what this returns.
   */
  checkContracts(tools: readonly ContractTool[]): ContractMismatch[] {
    return checkArgsAgainstSchema(this.#actionContexts, tools);
  }

  #decided(effect: PolicyDecision["effect"], policies: readonly CedarPolicyInfo[]): PolicyDecision {
    return this.#decision(
      effect,
      policies.map((policy) => policy.id),
      policies.map((policy) => policy.reason),
    );
  }

  #decision(effect: PolicyDecision["effect"], policyIds: string[], reasons: string[]): PolicyDecision {
    return { effect, reasons, policyIds, policyVersion: this.version };
  }
}

/** What one evaluation produced; `cedarRequest` is absent when the request never reached Cedar's policies. */
interface Evaluation {
  readonly decision: PolicyDecision;
  readonly cedarRequest?: CedarRequest;
  readonly satisfied?: ReadonlySet<string>;
  readonly erroring?: ReadonlyMap<string, string>;
  /** The probes' answer, when the decision needed it (a denial for want of a permit). */
  readonly probed?: ReadonlyMap<string, PolicyEvaluation>;
}

/** A policy's outcome from Cedar's own diagnostics, where the probes could not say more. */
function fallbackEvaluation(info: CedarPolicyInfo, run: Evaluation): PolicyEvaluation {
  const effect = governorEffect(info);
  const base = { id: info.id, effect } as const;
  if (!run.satisfied)
    return {
      ...base,
      outcome: "error",
      detail: `the request could not be evaluated: ${run.decision.reasons.join("; ")}`,
    };
  if (run.satisfied.has(info.id)) return { ...base, outcome: "satisfied", detail: info.reason };
  const error = run.erroring?.get(info.id);
  if (error) return { ...base, outcome: "error", detail: error };
  return { ...base, outcome: "not-satisfied", detail: "Cedar reports it not satisfied" };
}
