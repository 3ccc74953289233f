import { GovernorError } from "@governor/errors";
import { missingScopes, type Principal } from "@governor/identity";
import type { AuditJournal, Awaitable } from "@governor/observability";
import type { PolicyEffect, PolicyEngine } from "@governor/policy";
import type { PrivacyOptions } from "../privacy/pii-mask.js";
import type { AnyTool } from "../tools/define-tool.js";
import { callHash, idempotencyKey } from "./call-hash.js";
import type { CircuitStatus, ToolCallLimits } from "./call-limits.js";
import { type ContractResult, checkContract, describeViolations } from "./check-contract.js";
import { withCheckedDecisions } from "./checked-policy.js";
import type { EffectJournal } from "./effect-journal.js";
import { EffectRunner, type ExecutionAudit, executionAudit } from "./effect-runner.js";
import type { ExecutionFailure, ExecutionResult, ToolFailure } from "./execution-result.js";
import { contextProblem, resourceProblem } from "./policy-facts.js";
import type { ProposedCall } from "./proposed-call.js";
import { withFactVersion } from "./versioned-policy.js";

/** Where a call is being decided: the run, the node and who is acting. */
export interface CallScope {
  readonly threadId: string;
  readonly node: string;
  readonly principal: Principal;
}

/** What a policy request adds to the call: the workflow's run facts and the resource acted on. */
export interface PolicyContext {
  readonly context?: Record<string, unknown>;
  readonly resource?: { type: string; id: string };
  /**
   * Set when the facts could not be read (the read threw, or returned something that is not
   * plain data): the policy is not asked and the call is denied with this reason.
   */
  readonly factsProblem?: { readonly code: string; readonly message: string };
}

/** The gateway's verdict on a proposed call before anything runs. */
export interface GatewayDecision {
  readonly effect: PolicyEffect;
  /** The control that decided: a call refused for scope never reaches the contract or policy. */
  readonly stage: "tool" | "identity" | "contract" | "policy";
  readonly reasons: readonly string[];
  readonly policyIds: readonly string[];
  readonly policyVersion: string;
  /** Parsed by the contract (the proposed arguments when the contract refused them). */
  readonly args: Readonly<Record<string, unknown>>;
  readonly callHash: string;
  readonly decidedAt: number;
}

export interface ToolGatewayOptions {
  readonly tools: readonly AnyTool[];
  readonly policy: PolicyEngine;
  readonly audit: AuditJournal;
  readonly effects: EffectJournal;
  readonly now?: () => number;
  /**
   * The version of the workflow's fact code (`workflowFactVersion`): added to the policy's
   * version, so decisions and approvals are bound to both.
   */
  readonly factVersion?: string;
  /** The workflow's privacy settings: what a tool call's span masks beyond e-mails, cards and phones. */
  readonly privacy?: PrivacyOptions;
  /**
   * Circuit breakers and rate limits around every try. Default: this gateway's own, in
   * process; `RedisToolCallLimits` (@governor/resilience-redis) shares them across workers.
   */
  readonly limits?: ToolCallLimits;
}

/**
 * The one path from a proposed call to a side effect: identity, contract, policy, then
 * (after any approval) execution behind the idempotency journal and the tool's timeout,
 * retry, circuit breaker and fallback. Every step that decides writes an audit record; a
 * record is deduplicated by call, so a node re-run on resume does not write it twice.
 *
 * Circuit breakers and rate limits live in the gateway by default, one per tool: every run
 * compiled with this gateway shares them, but another process (or another compile) starts
 * with its own, closed. Shared `limits` (e.g. in Redis) make them one for every worker.
 */
export class ToolGateway {
  readonly policy: PolicyEngine;
  readonly audit: AuditJournal;
  readonly #tools: ReadonlyMap<string, AnyTool>;
  readonly #runner: EffectRunner;
  readonly #now: () => number;

  constructor(options: ToolGatewayOptions) {
    this.#tools = new Map(options.tools.map((tool) => [tool.name, tool]));
    // Checked outermost: whatever decides (the author's engine, Cedar), a malformed answer denies.
    this.policy = withCheckedDecisions(withFactVersion(options.policy, options.factVersion));
    this.audit = options.audit;
    this.#runner = new EffectRunner(options.effects, options.privacy, options.limits);
    this.#now = options.now ?? Date.now;
  }

  tool(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  now(): number {
    return this.#now();
  }

  /** Parses the call's arguments; a refusal is audited once per call. */
  async checkContract(call: ProposedCall, scope: CallScope): Promise<ContractResult> {
    const tool = this.#requireTool(call.tool);
    const result = checkContract(tool, call.args);
    if (!result.ok) {
      await this.audit.append({
        threadId: scope.threadId,
        kind: "contract",
        outcome: "refused",
        node: scope.node,
        tool: call.tool,
        principal: scope.principal.id,
        data: { callId: call.id, args: call.args, violations: result.violations },
        dedupeKey: `${scope.threadId}:${call.id}:${scope.node}:contract`,
      });
    }
    return result;
  }

  /**
   * Decides a proposed call: identity (scopes), then contract (zod), then the facts, then
   * policy. The first control that refuses decides, and the later ones are not asked. Facts
   * that could not be read, or are not plain data, deny: the policy is never asked with a
   * context it would read as empty.
   *
   * `facts` may be a reader: it is called only once identity and contract have passed, with
   * the arguments as the contract parsed them, so the system of record is never queried for
   * a call that is refused anyway, nor with arguments the contract would reject.
   */
  async authorize(
    call: ProposedCall,
    scope: CallScope,
    facts: PolicyContext | ((args: Record<string, unknown>) => Promise<PolicyContext>) = {},
  ): Promise<GatewayDecision> {
    const decidedAt = this.#now();
    const policyVersion = this.policy.version;
    const record = async (
      kind: "identity" | "policy" | "contract",
      decision: GatewayDecision,
      data: Record<string, unknown>,
    ) => {
      await this.audit.append({
        threadId: scope.threadId,
        kind,
        outcome: decision.effect,
        node: scope.node,
        tool: call.tool,
        principal: scope.principal.id,
        data: {
          callId: call.id,
          ...data,
          reasons: decision.reasons,
          policyIds: decision.policyIds,
          policyVersion,
          callHash: decision.callHash,
        },
        dedupeKey: `${scope.threadId}:${call.id}:${scope.node}:${kind}`,
      });
      return decision;
    };
    const deny = (stage: GatewayDecision["stage"], reasons: string[], args = call.args): GatewayDecision => ({
      effect: "deny",
      stage,
      reasons,
      policyIds: [],
      policyVersion,
      args,
      callHash: callHash(scope.principal, call.tool, args, policyVersion),
      decidedAt,
    });

    const tool = this.#tools.get(call.tool);
    if (!tool)
      return record("identity", deny("tool", [`no tool named ${call.tool} is available`]), {
        args: call.args,
      });

    const missing = missingScopes(scope.principal, tool.scopes);
    if (missing.length) {
      return record(
        "identity",
        deny("identity", [`${scope.principal.id} lacks scope ${missing.join(", ")}`]),
        {
          args: call.args,
          missingScopes: missing,
        },
      );
    }

    const contract = await this.checkContract(call, scope);
    if (!contract.ok) return deny("contract", [describeViolations(call.tool, contract.violations)]);

    const request = typeof facts === "function" ? await facts(contract.args) : facts;
    const factsProblem = request.factsProblem?.message ?? factsProblemOf(request);
    if (factsProblem) {
      return record("policy", deny("policy", [factsProblem], contract.args), {
        args: contract.args,
        identity: "in scope",
        contract: "valid",
        facts: "refused",
        code: request.factsProblem?.code ?? "POLICY_DENIED",
      });
    }

    const policy = await this.policy.decide({
      principal: scope.principal,
      action: call.tool,
      resource: request.resource,
      args: contract.args,
      context: request.context ?? {},
    });
    return record(
      "policy",
      {
        effect: policy.effect,
        stage: "policy",
        reasons: policy.reasons,
        policyIds: policy.policyIds,
        policyVersion: policy.policyVersion,
        args: contract.args,
        callHash: callHash(scope.principal, call.tool, contract.args, policy.policyVersion),
        decidedAt,
      },
      {
        args: contract.args,
        identity: "in scope",
        contract: "valid",
        context: request.context ?? {},
        // What a what-if replay needs to ask another policy set the same question.
        request: policyRequestRecord(scope.principal, request.resource),
      },
    );
  }

  /**
   * Runs an authorized call exactly once, behind the effect journal and the tool's
   * resilience: a committed call is read back, never re-run; each try has a timeout; an
   * idempotent tool is retried; the tool's circuit breaker refuses calls while it is open;
   * then the tool's fallback (another tool, or escalation to a human) takes a failure.
   * A failure is recorded and returned, never thrown, so the workflow decides where it goes.
   */
  async execute(
    call: ProposedCall,
    args: Record<string, unknown>,
    scope: CallScope,
    /**
     * The policy request the gate decided with: a fallback tool is put to the same policy.
     * A function is called only when a fallback is tried, so facts are not read again for
     * a call that simply succeeds.
     */
    request: PolicyContext | (() => Promise<PolicyContext>) = {},
  ): Promise<ExecutionResult> {
    const tool = this.#requireTool(call.tool);
    const key = idempotencyKey(scope.threadId, scope.node, call.callIndex, args);
    const audit = executionAudit(this.audit, scope, call.id, tool.name, key, args);
    const run = await this.#runner.run(tool, key, args, scope, audit, call.id);
    if (run.ok) return { ...run, tool: tool.name, idempotencyKey: key, fallback: false };

    const { reason, error, attempts } = run;
    const primary: ToolFailure = { tool: tool.name, idempotencyKey: key, reason, error, attempts };
    const plan = tool.fallback;
    // A call that may already have acted must not be repeated by another tool either.
    if (plan && "tool" in plan && reason !== "outcome-unknown") {
      await audit("fallback", { to: plan.tool, reason, error, attempts });
      return this.#fallback(
        plan.tool,
        primary,
        call,
        args,
        scope,
        typeof request === "function" ? await request() : request,
      );
    }
    return this.#settle(tool, audit, { ...primary, ok: false, replayed: run.replayed, fallback: false });
  }

  /** The state of a tool's circuit breaker in this gateway (undefined until the tool is first called, or when it has none). */
  circuit(tool: string): Awaitable<CircuitStatus | undefined> {
    return this.#runner.circuit(tool);
  }

  /** Runs the declared fallback tool with the same arguments, after its own scope and contract checks. */
  async #fallback(
    name: string,
    primary: ToolFailure,
    call: ProposedCall,
    args: Record<string, unknown>,
    scope: CallScope,
    request: PolicyContext,
  ): Promise<ExecutionResult> {
    const target = this.#tools.get(name);
    const admitted = target
      ? await this.#admit(target, args, scope, request)
      : { problem: `no tool named ${name}` };
    const key = idempotencyKey(
      scope.threadId,
      `${scope.node}>${name}`,
      call.callIndex,
      admitted.args ?? args,
    );
    const audit = executionAudit(this.audit, scope, call.id, name, key, admitted.args ?? args);
    const common = { tool: name, idempotencyKey: key, fallback: true, primary } as const;
    if (!target || !admitted.args) {
      const error = `not allowed as a fallback: ${admitted.problem}`;
      await audit("refused", { error });
      const failure = {
        ...common,
        ok: false,
        reason: "failed",
        error,
        attempts: 0,
        replayed: false,
      } as const;
      return target ? this.#settle(target, audit, failure) : { ...failure, escalated: false };
    }
    const run = await this.#runner.run(target, key, admitted.args, scope, audit, call.id);
    if (run.ok) return { ...run, ...common };
    return this.#settle(target, audit, { ...run, ...common });
  }

  /**
   * The checks a fallback tool must pass, since it was never put to the gate itself:
   * identity, contract, and the same policy with the gate's context. Only an outright allow
   * lets it run; a fallback cannot stop to ask for an approval in the middle of a call.
   */
  async #admit(
    tool: AnyTool,
    args: Record<string, unknown>,
    scope: CallScope,
    request: PolicyContext,
  ): Promise<{ args?: Record<string, unknown>; problem?: string }> {
    const missing = missingScopes(scope.principal, tool.scopes);
    if (missing.length) return { problem: `${scope.principal.id} lacks scope ${missing.join(", ")}` };
    const contract = checkContract(tool, args);
    if (!contract.ok) return { problem: describeViolations(tool.name, contract.violations) };
    const factsProblem = request.factsProblem?.message ?? factsProblemOf(request);
    if (factsProblem) return { problem: factsProblem };
    const decision = await this.policy.decide({
      principal: scope.principal,
      action: tool.name,
      args: contract.args,
      context: request.context ?? {},
      resource: request.resource,
    });
    if (decision.effect !== "allow") {
      return {
        problem: `policy ${decision.effect === "deny" ? "denies" : "requires an approval for"} ${tool.name}: ${decision.reasons.join("; ")} [${decision.policyIds.join(", ")}]`,
      };
    }
    return { args: contract.args };
  }

  /** A final failure: escalated to a human when the tool says so, and audited as such. */
  async #settle(
    tool: AnyTool,
    audit: ExecutionAudit,
    failure: Omit<ExecutionFailure, "escalated">,
  ): Promise<ExecutionFailure> {
    const escalated = tool.fallback !== undefined && "escalate" in tool.fallback;
    if (escalated) {
      await audit("escalated", { reason: failure.reason, error: failure.error, attempts: failure.attempts });
    }
    return { ...failure, escalated };
  }

  #requireTool(name: string): AnyTool {
    const tool = this.#tools.get(name);
    if (!tool)
      throw new GovernorError(
        "WORKFLOW_UNKNOWN_TOOL",
        `No tool named "${name}" is declared in this workflow`,
        { tool: name },
      );
    return tool;
  }
}

/** What is wrong with a request's context or resource as a policy reads them, or undefined. */
function factsProblemOf(request: PolicyContext): string | undefined {
  return contextProblem(request.context ?? {}) ?? resourceProblem(request.resource);
}

/**
 * The part of a policy request the record does not already hold (args and context are beside
 * it): the resource and the principal as the policy saw it. Not the delegation grant: its id
 * is a revocation handle, and the policy never reads it.
 */
function policyRequestRecord(principal: Principal, resource: PolicyContext["resource"]) {
  return {
    ...(resource ? { resource: { type: resource.type, id: resource.id } } : {}),
    principal: {
      id: principal.id,
      kind: principal.kind,
      agentId: principal.agentId,
      ...(principal.userId !== undefined ? { userId: principal.userId } : {}),
      scopes: [...principal.scopes],
      ...(principal.roles ? { roles: [...principal.roles] } : {}),
    },
  };
}
