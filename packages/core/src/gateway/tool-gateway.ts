import { missingScopes, type Principal } from "@governor/identity";
import type { AuditJournal } from "@governor/observability";
import type { PolicyEffect, PolicyEngine } from "@governor/policy";
import { GovernorError } from "@governor/errors";
import type { AnyTool } from "../tools/define-tool.js";
import { callHash, idempotencyKey } from "./call-hash.js";
import { type ContractResult, checkContract, describeViolations } from "./check-contract.js";
import type { EffectJournal } from "./effect-journal.js";
import type { ProposedCall } from "./proposed-call.js";

/** Where a call is being decided: the run, the node and who is acting. */
export interface CallScope {
  readonly threadId: string;
  readonly node: string;
  readonly principal: Principal;
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

export type ExecutionResult =
  | {
      readonly ok: true;
      readonly result: unknown;
      readonly replayed: boolean;
      readonly idempotencyKey: string;
    }
  | { readonly ok: false; readonly error: string; readonly idempotencyKey: string };

export interface ToolGatewayOptions {
  readonly tools: readonly AnyTool[];
  readonly policy: PolicyEngine;
  readonly audit: AuditJournal;
  readonly effects: EffectJournal;
  readonly now?: () => number;
}

/**
 * The one path from a proposed call to a side effect: identity, contract, policy, then
 * (after any approval) execution behind the idempotency journal. Every step that decides
 * writes an audit record; a record is deduplicated by call, so a node re-run on resume
 * does not write it twice.
 */
export class ToolGateway {
  readonly policy: PolicyEngine;
  readonly audit: AuditJournal;
  readonly #tools: ReadonlyMap<string, AnyTool>;
  readonly #effects: EffectJournal;
  readonly #now: () => number;

  constructor(options: ToolGatewayOptions) {
    this.#tools = new Map(options.tools.map((tool) => [tool.name, tool]));
    this.policy = options.policy;
    this.audit = options.audit;
    this.#effects = options.effects;
    this.#now = options.now ?? Date.now;
  }

  tool(name: string): AnyTool | undefined {
    return this.#tools.get(name);
  }

  now(): number {
    return this.#now();
  }

  /** Parses the call's arguments; a refusal is audited once per call. */
  checkContract(call: ProposedCall, scope: CallScope): ContractResult {
    const tool = this.#requireTool(call.tool);
    const result = checkContract(tool, call.args);
    if (!result.ok) {
      this.audit.append({
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
   * Decides a proposed call: identity (scopes), then contract (zod), then policy. The first
   * control that refuses decides, and the later ones are not asked.
   */
  async authorize(
    call: ProposedCall,
    scope: CallScope,
    request: { context?: Record<string, unknown>; resource?: { type: string; id: string } } = {},
  ): Promise<GatewayDecision> {
    const decidedAt = this.#now();
    const policyVersion = this.policy.version;
    const record = (
      kind: "identity" | "policy" | "contract",
      decision: GatewayDecision,
      data: Record<string, unknown>,
    ) => {
      this.audit.append({
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

    const contract = this.checkContract(call, scope);
    if (!contract.ok) return deny("contract", [describeViolations(call.tool, contract.violations)]);

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
      { args: contract.args, identity: "in scope", contract: "valid", context: request.context ?? {} },
    );
  }

  /**
   * Runs an authorized call exactly once. A call whose key the journal has committed is
   * read back, never re-run; a failure is recorded and returned, never thrown, so the
   * workflow decides where a failed effect goes.
   */
  async execute(
    call: ProposedCall,
    args: Record<string, unknown>,
    scope: CallScope,
  ): Promise<ExecutionResult> {
    const tool = this.#requireTool(call.tool);
    const key = idempotencyKey(scope.threadId, scope.node, call.callIndex, args);
    const audit = (outcome: string, data: Record<string, unknown>) =>
      this.audit.append({
        threadId: scope.threadId,
        kind: "execution",
        outcome,
        node: scope.node,
        tool: call.tool,
        principal: scope.principal.id,
        data: { callId: call.id, idempotencyKey: key, args, ...data },
        dedupeKey: `${key}:${outcome}`,
      });

    const known = this.#effects.get(key);
    if (known?.status === "committed") {
      // Appending with the same dedupe key fills the gap if the process died between commit and audit.
      audit("executed", { result: known.result });
      return { ok: true, result: known.result, replayed: true, idempotencyKey: key };
    }
    this.#effects.start(key, call.tool, scope.threadId);
    let result: unknown;
    try {
      result = await tool.handler(args, {
        threadId: scope.threadId,
        principal: scope.principal,
        idempotencyKey: key,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#effects.fail(key, message);
      audit("failed", { error: message });
      return { ok: false, error: message, idempotencyKey: key };
    }
    this.#effects.commit(key, result);
    audit("executed", { result });
    return { ok: true, result, replayed: false, idempotencyKey: key };
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
