import { GovernorError } from "@governor/errors";
import { agentPrincipal } from "@governor/identity";
import { ToolMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { ApprovalAuthority } from "../approvals/approval-authority.js";
import { MemoryApprovalUseLedger } from "../approvals/approval-uses.js";
import { delegationLapse } from "../control/delegation-check.js";
import { describeExecution } from "../gateway/execution-result.js";
import type { ProposedCall } from "../gateway/proposed-call.js";
import { type CallScope, type GatewayDecision, ToolGateway } from "../gateway/tool-gateway.js";
import { principalOf } from "../graph/node-scope.js";
import {
  type AwaitingCall,
  approvalRequestFor,
  approvalRound,
  type HumanDecision,
} from "./batch-approval.js";
import { decideCall, factsOf } from "./decide-call.js";
import type { GovernedToolStores, GovernedToolsOptions, ToolGovernance } from "./governed-tools-options.js";
import { governorTools, type LangChainToolLike, withInvoker } from "./governor-tools.js";
import type { Turn, TurnCall } from "./turn-calls.js";

/** Runs the real tool for one call, with the arguments the contract parsed. */
export type CallInvoker = (
  call: TurnCall,
  args: Record<string, unknown>,
  signal: AbortSignal,
) => Promise<unknown>;

/** One model turn handed to the governor: its calls, the graph state and the run's config. */
export interface GovernedTurn<TState> {
  readonly turn: Turn;
  readonly state: TState;
  readonly config: LangGraphRunnableConfig;
  /** The graph node answering the turn: part of every audit record, request and idempotency key. */
  readonly node: string;
  readonly invoke: CallInvoker;
}

const DEFAULT_MAX_CALLS_PER_TURN = 16;

/**
 * The one governed path for the tool calls of a model turn, shared by the governed ToolNode
 * and the createAgent middleware. Each call passes identity (scopes), its zod contract, its
 * precondition, the policy (with its facts), a human when the policy says so, then runs
 * exactly once behind the effect journal; every step is audited. A refusal is a tool message
 * with status "error" that the model reads; the handler never runs for it.
 *
 * Calls that need no human run at once; those that do are asked for in ONE interrupt (see
 * `approvalRound`), and each approved call runs as soon as its own decision arrives.
 */
export class ToolCallGovernor<TState = Record<string, unknown>> {
  readonly gateway: ToolGateway;
  readonly #govern: Readonly<Record<string, ToolGovernance<TState>>>;
  readonly #stores: Partial<GovernedToolStores>;
  readonly #authority: ApprovalAuthority | undefined;
  readonly #agent: GovernedToolsOptions<TState>["agent"];
  readonly #name: string;
  readonly #maxCallsPerTurn: number;

  /**
   * @throws {GovernorError} CONFIG_INVALID when a tool has no governance entry or no zod
   *   schema, a write tool has no precondition, or no audit or effect journal is given.
   */
  constructor(tools: readonly LangChainToolLike[], options: GovernedToolsOptions<TState>) {
    const stores: Partial<GovernedToolStores> = { ...options.store?.graphServices(), ...definedOf(options) };
    if (!stores.audit || !stores.effects) {
      throw new GovernorError(
        "CONFIG_INVALID",
        "A governed tool node needs an audit journal and an effect journal: pass store: new GovernorStore(dir), or audit and effects",
      );
    }
    this.#govern = options.govern;
    this.#stores = stores;
    this.#agent = options.agent;
    this.#name = `governed tool node of agent ${options.agent.id}`;
    this.#maxCallsPerTurn = options.maxCallsPerTurn ?? DEFAULT_MAX_CALLS_PER_TURN;
    this.gateway = new ToolGateway({
      tools: governorTools(tools, options.govern),
      policy: options.policy,
      audit: stores.audit,
      effects: stores.effects,
      now: options.now,
    });
    this.#authority = stores.tokenKeys
      ? new ApprovalAuthority({
          keys: stores.tokenKeys,
          approvers: options.approvers,
          uses: stores.approvalUses ?? new MemoryApprovalUseLedger(),
        })
      : undefined;
  }

  get maxCallsPerTurn(): number {
    return this.#maxCallsPerTurn;
  }

  /**
   * Answers every call of the turn with one tool message, in the order proposed.
   *
   * @throws {GraphInterrupt} (LangGraph's) when a call waits for a human: resume with
   *   `{ token }` or `{ tokens }` signed for the batch's requests.
   * @throws {GovernorError} CONFIG_INVALID when `configurable.principal` is malformed or
   *   claims more than the node's agent.
   */
  async answer(input: GovernedTurn<TState>): Promise<ToolMessage[]> {
    const scope = this.#scopeOf(input);
    await this.#stopIfHalted(scope, input.turn.turnId);
    // Malformed calls may share an id (or have none): they are answered by position, not by id.
    const malformed: ToolMessage[] = [];
    for (const [index, { toolCall, reason }] of input.turn.malformed.entries()) {
      const callId = `${input.turn.turnId}/${toolCall.id ?? "?"}#${index}`;
      await this.#auditRefusal(scope, callId, toolCall.name, reason, "contract");
      malformed.push(refusal(toolCall, `Refused: ${reason}`));
    }
    const replies = new Map<string, ToolMessage>();
    const allowed: { call: TurnCall; decision: GatewayDecision }[] = [];
    const awaiting: AwaitingCall[] = [];
    for (const call of input.turn.calls) {
      const verdict = await decideCall({
        gateway: this.gateway,
        governance: this.#governanceOf(call),
        call: proposedOf(call, scope.node, call.toolCall.args),
        state: input.state,
        scope,
      });
      if ("refused" in verdict) replies.set(call.toolCall.id, refusal(call.toolCall, verdict.refused));
      else if (verdict.decision.effect === "allow") allowed.push({ call, decision: verdict.decision });
      else if (verdict.decision.effect !== "require-approval") {
        // Only a clear "require-approval" is put to a human; an effect no engine should give denies.
        const reason = `the policy gave no valid decision for ${call.toolCall.name} (effect ${JSON.stringify(verdict.decision.effect)})`;
        await this.#auditRefusal(scope, call.callId, call.toolCall.name, reason, "approval");
        replies.set(call.toolCall.id, refusal(call.toolCall, `Refused by policy: ${reason}`));
      } else if (!this.#authority) {
        const reason = `${call.toolCall.name} needs a human approval, but ${this.#name} was given no tokenKeys to verify approvers' decisions`;
        await this.#auditRefusal(scope, call.callId, call.toolCall.name, reason, "approval");
        replies.set(call.toolCall.id, refusal(call.toolCall, `Refused: ${reason}`));
      } else {
        const governance = this.#governanceOf(call);
        const summary = governance?.approval?.summary?.(
          input.state,
          proposedOf(call, input.node, verdict.decision.args),
        );
        awaiting.push({
          call,
          decision: verdict.decision,
          request: await approvalRequestFor(
            scope,
            call,
            input.turn.turnId,
            verdict.decision,
            governance as ToolGovernance<unknown>,
            this.gateway.audit,
            summary,
          ),
        });
      }
    }

    const run = async (entries: readonly { call: TurnCall; decision: GatewayDecision }[]) => {
      const results = await Promise.all(
        entries.map((entry) => this.#execute(entry.call, entry.decision, input, scope)),
      );
      for (const [index, entry] of entries.entries()) {
        replies.set(entry.call.toolCall.id, results[index] as ToolMessage);
      }
    };
    await run(allowed);
    if (awaiting.length && this.#authority) {
      await approvalRound({
        scope,
        awaiting,
        authority: this.#authority,
        audit: this.gateway.audit,
        now: () => this.gateway.now(),
        settle: async (decided) => {
          const fresh = awaiting.filter(
            (entry) => decided.has(entry.request.requestId) && !replies.has(entry.call.toolCall.id),
          );
          for (const entry of fresh) {
            const decision = decided.get(entry.request.requestId) as HumanDecision;
            if (!decision.approved) {
              replies.set(entry.call.toolCall.id, refusal(entry.call.toolCall, rejectionText(decision)));
            }
          }
          await run(fresh.filter((entry) => decided.get(entry.request.requestId)?.approved));
        },
      });
    }
    return [
      ...malformed,
      ...input.turn.calls
        .map(({ toolCall }) => replies.get(toolCall.id))
        .filter((reply): reply is ToolMessage => reply !== undefined),
    ];
  }

  /** Runs an allowed or approved call through the effect journal: once, whatever re-runs. */
  async #execute(
    call: TurnCall,
    decision: GatewayDecision,
    input: GovernedTurn<TState>,
    scope: CallScope,
  ): Promise<ToolMessage> {
    const proposed = proposedOf(call, scope.node, decision.args);
    const governance = this.#governanceOf(call);
    const outcome = await withInvoker(
      (args, signal) => input.invoke(call, args, signal),
      () =>
        this.gateway.execute(proposed, { ...decision.args }, scope, () =>
          factsOf(governance, input.state, proposed, scope.principal),
        ),
    );
    if (!outcome.ok)
      return refusal(call.toolCall, `The call did not succeed: ${describeExecution(outcome)}.`);
    const result = outcome.result;
    return new ToolMessage({
      tool_call_id: call.toolCall.id,
      name: call.toolCall.name,
      content: typeof result === "string" ? result : JSON.stringify(result ?? null),
      status: "success",
    });
  }

  #governanceOf(call: TurnCall): ToolGovernance<TState> | undefined {
    return Object.hasOwn(this.#govern, call.toolCall.name) ? this.#govern[call.toolCall.name] : undefined;
  }

  #scopeOf(input: GovernedTurn<TState>): CallScope {
    const agent = this.#agent;
    const principal = principalOf(input.config, {
      defaultPrincipal: agentPrincipal(agent.id, agent.scopes, agent.roles),
      workflow: { agent, name: this.#name },
    });
    const threadId = (input.config.configurable?.thread_id as string | undefined) ?? "stateless";
    return { threadId, node: input.node, principal };
  }

  /**
   * Stops the run, as every node boundary of a compiled workflow does, when a kill switch for
   * the agent (or the global one) is engaged, or the delegation the run acts under has lapsed
   * or been revoked: no call of the turn is decided, none runs.
   */
  async #stopIfHalted(scope: CallScope, turnId: string): Promise<void> {
    const switches = this.#stores.killSwitch;
    const kill = await switches?.active(scope.principal.agentId);
    const audit = (kind: "kill" | "identity", data: Record<string, unknown>) =>
      this.gateway.audit.append({
        threadId: scope.threadId,
        kind,
        outcome: "stopped",
        node: scope.node,
        principal: scope.principal.id,
        data,
        dedupeKey: `${scope.threadId}:${turnId}:${scope.node}:${kind}:stopped`,
      });
    if (kill) {
      await audit("kill", { scope: kill.scope, reason: kill.reason, engagedAt: kill.at });
      throw new GovernorError(
        "KILLED",
        `Run ${scope.threadId} stopped at ${scope.node}: the ${kill.scope === "global" ? "global" : kill.scope} kill switch is engaged (${kill.reason})`,
        { node: scope.node, scope: kill.scope, reason: kill.reason },
      );
    }
    const lapse = await delegationLapse(scope.principal, this.gateway.now(), switches);
    if (lapse) {
      await audit("identity", { code: lapse.code, ...lapse.details });
      throw new GovernorError(
        lapse.code,
        `Run ${scope.threadId} stopped at ${scope.node}: ${lapse.message}`,
        {
          node: scope.node,
          ...lapse.details,
        },
      );
    }
  }

  async #auditRefusal(
    scope: CallScope,
    callId: string,
    tool: string,
    reason: string,
    kind: "contract" | "approval",
  ): Promise<void> {
    await this.gateway.audit.append({
      threadId: scope.threadId,
      kind,
      outcome: "refused",
      node: scope.node,
      tool,
      principal: scope.principal.id,
      data: { callId, reason },
      dedupeKey: `${scope.threadId}:${callId}:${scope.node}:${kind}:refused`,
    });
  }
}

function proposedOf(call: TurnCall, node: string, args: Readonly<Record<string, unknown>>): ProposedCall {
  return { id: call.callId, tool: call.toolCall.name, args, callIndex: call.callIndex, proposedBy: node };
}

function refusal(toolCall: { id?: string; name: string }, content: string): ToolMessage {
  return new ToolMessage({ tool_call_id: toolCall.id ?? "", name: toolCall.name, content, status: "error" });
}

function rejectionText(decision: HumanDecision): string {
  return `Rejected by ${decision.approver}${decision.reason ? `: ${decision.reason}` : ""}. The call did not run.`;
}

/** The fields of `options` that are set: a field given as undefined does not hide the store's. */
function definedOf(options: Partial<GovernedToolStores>): Partial<GovernedToolStores> {
  const keys = ["audit", "effects", "tokenKeys", "approvalUses", "killSwitch"] as const;
  return Object.fromEntries(
    keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
}
