import { GovernorError } from "@governor/errors";
import { agentPrincipal, type Principal, type TokenKeys } from "@governor/identity";
import type { MemoryStore } from "@governor/memory";
import { DEFAULT_PRICES, type PriceTable } from "@governor/models";
import type { AuditJournal } from "@governor/observability";
import type { PolicyEngine } from "@governor/policy";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { StateGraph } from "@langchain/langgraph";
import { agentLoopEdges, agentLoopNodes } from "../agent/compile-agent.js";
import { handoffTools } from "../agent/handoff-tools.js";
import { ApprovalAuthority } from "../approvals/approval-authority.js";
import { type ApprovalUseLedger, MemoryApprovalUseLedger } from "../approvals/approval-uses.js";
import { checkModelRules } from "../budget/check-model-rules.js";
import type { SpendLedger } from "../budget/daily-spend.js";
import { mergeBudgets, parseBudget, type RunBudget } from "../budget/run-budget.js";
import type { ExecutionControl } from "../control/execution-control.js";
import { enforceInputContract } from "../control/input-contract.js";
import type { KillSwitch } from "../control/kill-switch.js";
import { guardNode, guardStage, stoppingAtBoundary } from "../control/node-guard.js";
import type { ToolCallLimits } from "../gateway/call-limits.js";
import type { EffectJournal } from "../gateway/effect-journal.js";
import { ToolGateway } from "../gateway/tool-gateway.js";
import { checkMemoryStore } from "../memory/check-memory-store.js";
import { memoryReadNode } from "../memory/memory-read-node.js";
import { memoryWriteNode } from "../memory/memory-write-node.js";
import { actionNode } from "../nodes/action-node.js";
import { approvalNode } from "../nodes/approval-node.js";
import { gateNode } from "../nodes/gate-node.js";
import { modelNode } from "../nodes/model-node.js";
import { preconditionNode } from "../nodes/precondition-node.js";
import { routeNode } from "../nodes/route-node.js";
import { taskNode } from "../nodes/task-node.js";
import { auditMaskOptions, maskingAuditJournal } from "../privacy/audit-mask.js";
import { tracingAuditJournal } from "../tracing/decision-spans.js";
import { type Edge, END, nodeOf, normalizeEdge, START, type Workflow } from "../workflow/define-workflow.js";
import { workflowFactVersion } from "../workflow/fact-version.js";
import type { AgentNode, WorkflowNode } from "../workflow/node-definitions.js";
import { validate } from "../workflow/validate.js";
import { type DecisionStage, edgesAfterFused, fusedDecisions, isDecisionKind } from "./fused-decisions.js";
import { keepInterruptedTasksNext } from "./interrupted-next.js";
import type { NodeServices } from "./node-scope.js";
import { recursionLimitFor } from "./recursion-limit.js";
import { type GraphState, stateAnnotation } from "./state-annotation.js";

export interface CompileOptions {
  /** Required when the workflow has model steps that declare no `models` routing. */
  readonly model?: BaseChatModel;
  /**
   * Named models for steps that declare `models` routing rules (e.g. `{ fast, strong }`);
   * each rule and default must name one of them, or compile fails with CONFIG_INVALID.
   */
  readonly models?: Readonly<Record<string, BaseChatModel>>;
  /** Omit for LangGraph's API server, which brings its own. */
  readonly checkpointer?: BaseCheckpointSaver;
  readonly audit: AuditJournal;
  readonly effects: EffectJournal;
  /** Overrides the workflow's own policy engine (tests, a stricter environment). */
  readonly policy?: PolicyEngine;
  /** Who runs when the caller names no principal. Default: the workflow's agent. */
  readonly defaultPrincipal?: Principal;
  /** The clock approvals and decisions read. */
  readonly now?: () => number;
  /** Keys that verify approvers' signed decisions; required when the workflow has approval steps. */
  readonly tokenKeys?: TokenKeys;
  /** Where accepted decisions are remembered so none is replayed. Default: in memory. */
  readonly approvalUses?: ApprovalUseLedger;
  /** Overrides fields of the workflow's budget for runs that carry none of their own. */
  readonly budget?: RunBudget;
  /** The cheaper model that model steps switch to as a budget nears its end. */
  readonly cheapModel?: BaseChatModel;
  /** Prices by model name, merged over `DEFAULT_PRICES`. */
  readonly prices?: PriceTable;
  /** Checked before every node; the runtime passes the store's. */
  readonly killSwitch?: KillSwitch;
  /** Where per-principal daily spend is kept; the runtime passes the store's. */
  readonly spend?: SpendLedger;
  /** Structured memory; required when the workflow has memory nodes or steps that read memory. */
  readonly memory?: MemoryStore;
  /**
   * Circuit breakers and rate limits around every tool call. Default: one set per compile, in
   * this process; pass `RedisToolCallLimits` (@governor/resilience-redis) to share them across
   * workers, or one `InProcessToolCallLimits` to share them across compiles.
   */
  readonly limits?: ToolCallLimits;
  /**
   * Run consecutive decision nodes (route, precondition, gate) in one superstep, each still
   * guarded and audited as its own stage (see `fusedDecisions`). Default: true. Turn it off to
   * step through them one by one (e.g. `interruptBefore` on a gate in Studio).
   */
  readonly fuseDecisions?: boolean;
}

/**
 * Turns a valid workflow into a LangGraph graph in which every governance step is its own
 * node: Studio and `drawMermaid()` show the checks, gates and approvals, not just the
 * business steps. Branching nodes record their outcome and a conditional edge follows it.
 *
 * @throws {WorkflowValidationError} when `validate()` finds anything wrong.
 * @example
 * const graph = compile(refundWorkflow, { model, audit, effects, checkpointer });
 * await graph.invoke({ request: "refund order A-1001" }, { configurable: { thread_id: "t1" } });
 */
export function compile(workflow: Workflow, options: CompileOptions) {
  validate(workflow);
  // A routing rule naming a model that was not given fails here, not on the turn it matches.
  checkModelRules(workflow, options.models);
  // A step that reads or writes memory never runs without its store: refused here, naming it.
  checkMemoryStore(workflow, options.memory);
  const gateway = new ToolGateway({
    // Handoffs between agents are tools too: decided by the same gateway, recorded the same way.
    tools: [...workflow.tools, ...handoffTools(workflow)],
    policy: options.policy ?? workflow.policy,
    // Every record any node writes passes here: personal data is masked before it is stored.
    // …and each record is also a span under the node that wrote it (a no-op with tracing off).
    audit: tracingAuditJournal(maskingAuditJournal(options.audit, auditMaskOptions(workflow.privacy))),
    privacy: workflow.privacy,
    effects: options.effects,
    limits: options.limits,
    now: options.now,
    // Approvals are bound to the fact code too, not only to the policy's text.
    factVersion: workflowFactVersion(workflow),
  });
  const services: NodeServices = {
    workflow,
    gateway,
    model: options.model,
    models: options.models,
    approvals:
      options.tokenKeys &&
      new ApprovalAuthority({
        keys: options.tokenKeys,
        approvers: workflow.approvers,
        uses: options.approvalUses ?? new MemoryApprovalUseLedger(),
      }),
    defaultPrincipal:
      options.defaultPrincipal ??
      agentPrincipal(workflow.agent.id, workflow.agent.scopes, workflow.agent.roles),
    memory: options.memory,
  };
  const control: ExecutionControl = {
    budget: mergeBudgets(
      parseBudget(workflow.budget, `workflow "${workflow.name}"`),
      parseBudget(options.budget, "the compile options"),
    ),
    cheapModel: options.cheapModel,
    prices: { ...DEFAULT_PRICES, ...options.prices },
    killSwitch: options.killSwitch,
    spend: options.spend,
    now: options.now ?? Date.now,
  };
  const edges = workflow.edges.map(normalizeEdge);
  // LangGraph's builder types track node names statically; a workflow's names are data.
  // biome-ignore lint/suspicious/noExplicitAny: see above.
  const graph = new StateGraph(stateAnnotation(workflow.state)) as any;

  const outgoing = groupBySource(edges);
  // Decision nodes with outcome edges run their successors' decisions in the same step.
  const stages = new Map<string, DecisionStage>();
  const fused = new Set<string>();

  for (const [id, node] of Object.entries(workflow.nodes) as [string, WorkflowNode<GraphState>][]) {
    if (node.kind === "agent") {
      const hasLimitEdge = edges.some((edge) => edge.from === id && edge.on === "limit");
      for (const loopNode of agentLoopNodes(id, node, services, control, hasLimitEdge)) {
        graph.addNode(loopNode.name, guardNode(loopNode.name, loopNode.run, services, control, node.agent), {
          metadata: loopNode.metadata,
        });
      }
      continue;
    }
    const hasFailedEdge = edges.some((edge) => edge.from === id && edge.on === "failed");
    const run = buildNode(id, node, services, control, hasFailedEdge);
    // Every node runs behind the execution-control guard: kill switch, steps and wall time first.
    const entered = guardStage(id, run, services, control);
    const exits = outgoing.get(id) ?? [];
    const stage = (): DecisionStage => ({ enter: entered, next: nextNode(exits) });
    let fusedRun: ReturnType<typeof fusedDecisions> | undefined;
    if (options.fuseDecisions !== false && isDecisionKind(node.kind)) {
      stages.set(id, stage());
      // Only a node whose outcomes pick the edge can choose its own next node (a plain edge always fires).
      if (exits.some((edge) => edge.on !== undefined)) fusedRun = fusedDecisions(id, stages);
    } else if (options.fuseDecisions !== false && leadsToDecision(workflow, node, exits)) {
      // A model step whose reply goes straight to a decision: the decisions join the model's
      // step. The reply is checkpointed before anything acts on it, as without fusion.
      fusedRun = fusedDecisions(id, stages, stage());
    }
    if (fusedRun) fused.add(id);
    // `stages` is complete before any run: a fused node reaches the stages after it by name.
    graph.addNode(id, fusedRun ?? stoppingAtBoundary(entered), {
      // Shown under the node in drawMermaid() and Studio, so the governance role of each node is visible.
      metadata: node.description
        ? { governor: node.kind, description: node.description }
        : { governor: node.kind },
    });
  }
  for (const [from, outgoing] of groupBySource(edges)) {
    const plain = outgoing.find((edge) => edge.on === undefined);
    const labeled = outgoing.filter((edge) => edge.on !== undefined);
    const source = from === START ? undefined : nodeOf(workflow, from);
    if (source?.kind === "agent") {
      const exits: Record<string, string> = Object.fromEntries(
        labeled.map((edge) => [edge.on as string, edge.to]),
      );
      if (plain) exits.done = plain.to;
      const loop = agentLoopEdges(from, source as AgentNode<GraphState>, exits);
      for (const [a, b] of loop.plain) graph.addEdge(a, b);
      for (const { from: loopFrom, targets } of loop.conditional) {
        graph.addConditionalEdges(
          loopFrom,
          (state: GraphState) => state.governor.routes[loopFrom] ?? "done",
          targets,
        );
      }
      continue;
    }
    if (!labeled.length && plain) {
      // A fused step goes on with a Command of its own; the edge stays for the drawing.
      if (fused.has(from))
        graph.addConditionalEdges(
          from,
          edgesAfterFused(() => plain.to),
          [plain.to],
        );
      else graph.addEdge(from, plain.to);
      continue;
    }
    // Each outcome label maps to its target; an action's unlabeled success edge is its "done" outcome.
    const targets: Record<string, string> = Object.fromEntries(
      labeled.map((edge) => [edge.on as string, edge.to]),
    );
    if (plain) targets.done = plain.to;
    // A fused decision node goes on with a Command of its own; its edges route edits of its state.
    const route = (state: GraphState) => state.governor.routes[from] ?? "done";
    graph.addConditionalEdges(from, fused.has(from) ? edgesAfterFused(route) : route, targets);
  }
  // Input is checked on the graph itself, so the library, the runtime and LangGraph's API
  // server (Studio, SDK clients) all refuse the same bad input with INPUT_INVALID.
  // The loops' own bounds (maxTurns, the step budget) must end a long run, with their codes,
  // before LangGraph's recursion limit does: also for Studio and SDK runs that set none.
  const compiled = graph
    .compile({ checkpointer: options.checkpointer, name: workflow.name })
    // Every step's checkpoint is written before the next step starts (LangGraph's default,
    // "async", lets it lag: a process killed inside a later node could leave none). Fused
    // decision steps are how a governed run saves checkpoints, not a laxer durability.
    .withConfig({ recursionLimit: recursionLimitFor(workflow), durability: "sync" }) as CompiledWorkflow;
  // After a refused answer LangGraph's `next` would drop the still-interrupted approval node.
  return keepInterruptedTasksNext(enforceInputContract(compiled, workflow));
}

/** The compiled graph. Typed loosely: its node names and state come from data, not from types. */
export type CompiledWorkflow = ReturnType<StateGraph<Record<string, unknown>>["compile"]>;

function buildNode(
  id: string,
  node: WorkflowNode<GraphState>,
  services: NodeServices,
  control: ExecutionControl,
  hasFailedEdge: boolean,
) {
  switch (node.kind) {
    case "model":
      return modelNode(id, node, services, control);
    case "task":
      return taskNode(id, node, services);
    case "precondition":
      return preconditionNode(id, node, services);
    case "gate":
      return gateNode(id, node, services);
    case "approval":
      return approvalNode(id, node, services);
    case "action":
      return actionNode(id, node, services, hasFailedEdge);
    case "route":
      return routeNode(id, node);
    case "memory-read":
      return memoryReadNode(id, node, services);
    case "memory-write":
      return memoryWriteNode(id, node, services, control);
    case "agent":
      throw new GovernorError(
        "CONFIG_INVALID",
        `agent node ${id} compiles to a loop of nodes (agentLoopNodes)`,
      );
  }
}

/** A model step with one plain edge, to a decision node: its reply is decided in its own step. */
function leadsToDecision(
  workflow: Workflow,
  node: WorkflowNode<GraphState>,
  exits: readonly Edge[],
): boolean {
  const [exit] = exits;
  if (node.kind !== "model" || exits.length !== 1 || !exit || exit.on !== undefined) return false;
  const target = workflow.nodes[exit.to] as WorkflowNode<GraphState> | undefined;
  return target !== undefined && isDecisionKind(target.kind);
}

/** Where each outcome of a decision node leads: its labelled edge, else its unlabelled one ("done"). */
function nextNode(exits: readonly Edge[]): (branch: string) => string | undefined {
  const plain = exits.find((edge) => edge.on === undefined)?.to;
  const labeled = new Map(exits.filter((edge) => edge.on !== undefined).map((edge) => [edge.on, edge.to]));
  // With no labelled edge the plain edge always fires, whatever the node decided.
  if (!labeled.size) return () => plain;
  return (branch) => labeled.get(branch) ?? (branch === "done" ? plain : undefined);
}

function groupBySource(edges: readonly Edge[]): Map<string, Edge[]> {
  const groups = new Map<string, Edge[]>();
  for (const edge of edges) groups.set(edge.from, [...(groups.get(edge.from) ?? []), edge]);
  return groups;
}

export { END, START };
