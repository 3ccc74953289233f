import type { WorkflowIssue } from "@governor/errors";
import { type ApproverRegistry, defineIdentity } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pass } from "../nodes/precondition-node.js";
import { defineTool } from "../tools/define-tool.js";
import { defineWorkflow, END, START, type WorkflowDefinition, type WorkflowEdge } from "./define-workflow.js";
import { findWorkflowIssues } from "./validate.js";

const state = z.object({ request: z.string() });

const tool = (name: string, risk: "read" | "write" | "destructive", scopes: string[]) =>
  defineTool({
    name,
    description: name,
    input: z.object({ id: z.string() }).strict(),
    scopes,
    risk,
    handler: () => ({ ok: true }),
  });
const lookupOrder = tool("lookup_order", "read", ["orders:read"]);
const issueRefund = tool("issue_refund", "write", ["refunds:write"]);
const closeAccount = tool("close_account", "destructive", ["accounts:close"]);

const policy = new RulePolicyEngine([
  { id: "desk", actions: ["lookup_order", "issue_refund"], effect: "permit", reason: "the desk may" },
]);

const approvers = defineIdentity({
  roles: { desk: ["orders:read"], lead: ["approvals:refunds"] },
  agents: { desk: { roles: ["desk"] } },
  approvers: { "lead:lee": { roles: ["lead"] } },
});

type Nodes = Record<string, WorkflowDefinition["nodes"][string]>;
type AgentFields = Record<string, unknown>;

/**
 * A supervisor that reads orders and hands refunds to a specialist, which acts as its own
 * narrower identity and returns to the supervisor: valid as built.
 */
function agentWorkflow(
  change: { desk?: AgentFields; refunds?: AgentFields; nodes?: Nodes; edges?: WorkflowEdge[] } = {},
  overrides: { approvers?: ApproverRegistry | null; tools?: ReturnType<typeof tool>[] } = {},
) {
  const desk = {
    kind: "agent",
    instructions: "Help the customer",
    tools: ["lookup_order"],
    maxTurns: 10,
    handoffs: ["refunds"],
    ...change.desk,
  };
  const refunds = {
    kind: "agent",
    instructions: "Refund when the order allows it",
    tools: ["lookup_order", "issue_refund"],
    maxTurns: 6,
    maxCallsPerTurn: 4,
    agent: { id: "refunds-bot", scopes: ["orders:read", "refunds:write"], roles: ["desk"] },
    govern: { issue_refund: { check: () => pass(), approval: { requiredScope: "approvals:refunds" } } },
    ...change.refunds,
  };
  return defineWorkflow({
    name: "refund-desk",
    state,
    agent: { id: "desk", scopes: ["orders:read", "refunds:write", "accounts:close"], roles: ["desk"] },
    tools: overrides.tools ?? [lookupOrder, issueRefund, closeAccount],
    policy,
    approvers: overrides.approvers === null ? undefined : (overrides.approvers ?? approvers),
    nodes: { desk, refunds, ...change.nodes } as Nodes,
    edges: [[START, "desk"], ["desk", END], ["refunds", "desk"], ...(change.edges ?? [])],
  });
}

/** The issues at `path` (exactly), to assert on one field without the others' noise. */
function issuesAt(workflow: ReturnType<typeof agentWorkflow>, path: string): WorkflowIssue[] {
  return findWorkflowIssues(workflow).filter((issue) => issue.path === path);
}

describe("validate: agent nodes", () => {
  it("accepts a supervisor that hands off to a governed specialist", () => {
    expect(findWorkflowIssues(agentWorkflow())).toEqual([]);
  });

  describe("bounds", () => {
    for (const maxTurns of [undefined, 0, 1.5, 1001, -3, "10", Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses maxTurns ${String(maxTurns)}: the loop must have a bound from 1 to 1000`, () => {
        expect(issuesAt(agentWorkflow({ desk: { maxTurns } }), "nodes.desk.maxTurns")).toEqual([
          expect.objectContaining({
            code: "WORKFLOW_INVALID",
            message: "must be a whole number of turns from 1 to 1000: it bounds the loop",
          }),
        ]);
      });
    }

    it("accepts the bounds' edges, 1 and 1000 turns, 1 and 100 calls a turn", () => {
      expect(findWorkflowIssues(agentWorkflow({ desk: { maxTurns: 1, maxCallsPerTurn: 100 } }))).toEqual([]);
      expect(findWorkflowIssues(agentWorkflow({ desk: { maxTurns: 1000, maxCallsPerTurn: 1 } }))).toEqual([]);
    });

    for (const maxCallsPerTurn of [0, 101, 2.5, "8"]) {
      it(`refuses maxCallsPerTurn ${String(maxCallsPerTurn)}`, () => {
        const issues = issuesAt(
          agentWorkflow({ refunds: { maxCallsPerTurn } }),
          "nodes.refunds.maxCallsPerTurn",
        );
        expect(issues).toEqual([expect.objectContaining({ code: "WORKFLOW_INVALID" })]);
        expect(issues[0]?.message).toContain("from 1 to 100");
      });
    }
  });

  describe("tools", () => {
    it("refuses a tool the workflow does not declare, at its index", () => {
      expect(
        issuesAt(agentWorkflow({ desk: { tools: ["lookup_order", "wire_money"] } }), "nodes.desk.tools[1]"),
      ).toEqual([
        { code: "WORKFLOW_UNKNOWN_TOOL", path: "nodes.desk.tools[1]", message: 'no tool named "wire_money"' },
      ]);
    });

    it("refuses an agent with neither tools nor handoffs, and tools that are not an array", () => {
      for (const tools of [[], undefined, "lookup_order"]) {
        const issues = issuesAt(agentWorkflow({ desk: { tools, handoffs: undefined } }), "nodes.desk.tools");
        expect(issues).toEqual([expect.objectContaining({ code: "WORKFLOW_INVALID" })]);
      }
    });

    it("accepts a supervisor with no tools of its own when it hands off", () => {
      expect(findWorkflowIssues(agentWorkflow({ desk: { tools: [] } }))).toEqual([]);
    });

    it("refuses a tool offered twice", () => {
      const issues = issuesAt(
        agentWorkflow({ desk: { tools: ["lookup_order", "lookup_order"] } }),
        "nodes.desk.tools[1]",
      );
      expect(issues).toEqual([expect.objectContaining({ code: "WORKFLOW_INVALID" })]);
    });
  });

  describe("every tool that writes is governed (the loop's precondition rule)", () => {
    it("refuses a write tool with no check and no sufficiency, naming the agent and the tool", () => {
      const issues = findWorkflowIssues(agentWorkflow({ refunds: { govern: undefined } }));
      expect(issues).toEqual([
        {
          code: "WORKFLOW_UNGUARDED_ACTION",
          path: "nodes.refunds.govern.issue_refund",
          message:
            "agent refunds may call issue_refund (risk write) with no precondition: declare govern.issue_refund.check, or govern.issue_refund.sufficient: { reason } when its policy covers every check",
        },
      ]);
    });

    it("refuses a destructive tool governed only by facts and approval settings", () => {
      const issues = findWorkflowIssues(
        agentWorkflow({
          desk: {
            tools: ["lookup_order", "close_account"],
            govern: { close_account: { context: () => ({}), approval: { expiresInMs: 60_000 } } },
          },
        }),
      );
      expect(issues.map((issue) => [issue.code, issue.path])).toEqual([
        ["WORKFLOW_UNGUARDED_ACTION", "nodes.desk.govern.close_account"],
      ]);
      expect(issues[0]?.message).toContain("agent desk may call close_account (risk destructive)");
    });

    it("needs nothing for read tools", () => {
      expect(
        findWorkflowIssues(agentWorkflow({ desk: { tools: ["lookup_order"], govern: undefined } })),
      ).toEqual([]);
    });

    it("accepts a sufficiency declaration with a reason in place of a check", () => {
      const govern = {
        issue_refund: { sufficient: { reason: "the Cedar policy checks the order's state" } },
      };
      expect(findWorkflowIssues(agentWorkflow({ refunds: { govern } }))).toEqual([]);
    });

    it("counts neither a blank reason nor a check that is not a function as a guard", () => {
      for (const entry of [{ sufficient: { reason: "  " } }, { check: "yes" }, { sufficient: "always" }]) {
        const issues = findWorkflowIssues(agentWorkflow({ refunds: { govern: { issue_refund: entry } } }));
        expect(issues.map((issue) => issue.code).sort()).toEqual([
          "WORKFLOW_INVALID",
          "WORKFLOW_UNGUARDED_ACTION",
        ]);
      }
    });

    it("fails closed on a tool whose risk is not one it knows", () => {
      const odd = { ...issueRefund, risk: "low" as "read" };
      const issues = findWorkflowIssues(
        agentWorkflow({ refunds: { govern: undefined } }, { tools: [lookupOrder, odd] }),
      );
      expect(issues).toEqual([
        expect.objectContaining({
          code: "WORKFLOW_UNGUARDED_ACTION",
          path: "nodes.refunds.govern.issue_refund",
        }),
      ]);
    });
  });

  describe("govern entries", () => {
    it("refuses governance of a tool the agent does not offer, and of a tool nobody declares", () => {
      const govern = {
        issue_refund: { check: () => pass() },
        close_account: { check: () => pass() },
        wire_money: { check: () => pass() },
      };
      const issues = findWorkflowIssues(agentWorkflow({ refunds: { govern } }));
      expect(issues).toEqual([
        {
          code: "WORKFLOW_INVALID",
          path: "nodes.refunds.govern.close_account",
          message:
            "agent refunds governs close_account, which it does not offer; add it to its tools or remove the entry",
        },
        {
          code: "WORKFLOW_UNKNOWN_TOOL",
          path: "nodes.refunds.govern.wire_money",
          message: 'no tool named "wire_money"',
        },
      ]);
    });

    it("accepts governance of a handoff's generated tool (its facts and approval)", () => {
      const govern = { handoff_to_refunds: { approval: { expiresInMs: 60_000 } } };
      expect(findWorkflowIssues(agentWorkflow({ desk: { govern } }))).toEqual([]);
    });

    it("refuses facts together with context, callbacks that are not functions and a non-object entry", () => {
      const govern = {
        issue_refund: {
          check: () => pass(),
          facts: () => ({}),
          context: () => ({}),
          onResult: 3,
          resource: "order",
        },
        lookup_order: "read it",
      };
      const paths = findWorkflowIssues(agentWorkflow({ refunds: { govern } })).map((issue) => issue.path);
      expect(paths.sort()).toEqual([
        "nodes.refunds.govern.issue_refund.facts",
        "nodes.refunds.govern.issue_refund.onResult",
        "nodes.refunds.govern.issue_refund.resource",
        "nodes.refunds.govern.lookup_order",
      ]);
    });

    it("refuses a decision lifetime under a second and a request that expires at once", () => {
      const approval = { decisionLifetimeMs: 500, expiresInMs: 0, summary: "refund" };
      const govern = { issue_refund: { check: () => pass(), approval } };
      const issues = findWorkflowIssues(agentWorkflow({ refunds: { govern } }));
      expect(issues.map((issue) => issue.path).sort()).toEqual([
        "nodes.refunds.govern.issue_refund.approval.decisionLifetimeMs",
        "nodes.refunds.govern.issue_refund.approval.expiresInMs",
        "nodes.refunds.govern.issue_refund.approval.summary",
      ]);
    });
  });

  describe("approvers of an agent's calls", () => {
    it("accepts governed tools with no approvers: policy may never ask (and a run refuses an ask nobody can answer)", () => {
      const govern = { issue_refund: { check: () => pass() } };
      expect(findWorkflowIssues(agentWorkflow({ refunds: { govern } }, { approvers: null }))).toEqual([]);
    });

    it("refuses a required scope no approver holds", () => {
      const govern = {
        issue_refund: { check: () => pass(), approval: { requiredScope: "approvals:wires" } },
      };
      expect(findWorkflowIssues(agentWorkflow({ refunds: { govern } }))).toEqual([
        {
          code: "WORKFLOW_INVALID",
          path: "nodes.refunds.govern.issue_refund.approval.requiredScope",
          message:
            "agent refunds's issue_refund calls need an approver holding approvals:wires, and no such approver is declared in the workflow's approvers",
        },
      ]);
    });

    it("refuses a required scope when the workflow names no approvers at all", () => {
      const issues = findWorkflowIssues(agentWorkflow({}, { approvers: null }));
      expect(issues.map((issue) => issue.path)).toEqual([
        "nodes.refunds.govern.issue_refund.approval.requiredScope",
      ]);
    });
  });

  describe("an agent's own identity stays within the workflow's agent", () => {
    it("refuses scopes the workflow's agent does not hold, naming them", () => {
      const agent = { id: "refunds-bot", scopes: ["orders:read", "refunds:write", "payments:wire", "admin"] };
      expect(issuesAt(agentWorkflow({ refunds: { agent } }), "nodes.refunds.agent.scopes")).toEqual([
        {
          code: "WORKFLOW_INVALID",
          path: "nodes.refunds.agent.scopes",
          message:
            "agent refunds acts as refunds-bot with scopes payments:wire, admin that the workflow's agent desk does not hold; an agent node acts within the workflow's agent, never beyond it",
        },
      ]);
    });

    it("refuses roles the workflow's agent does not hold", () => {
      const agent = { id: "refunds-bot", scopes: [], roles: ["desk", "admin"] };
      const issues = issuesAt(agentWorkflow({ refunds: { agent } }), "nodes.refunds.agent.roles");
      expect(issues[0]?.message).toContain("with roles admin that");
    });

    it("refuses a malformed identity", () => {
      for (const agent of [
        null,
        "refunds-bot",
        { id: "", scopes: [] },
        { id: "x" },
        { id: "x", scopes: [1] },
      ]) {
        expect(issuesAt(agentWorkflow({ refunds: { agent } }), "nodes.refunds.agent")).toEqual([
          expect.objectContaining({ code: "WORKFLOW_INVALID" }),
        ]);
      }
    });
  });

  describe("handoffs", () => {
    const handoffIssue = (handoffs: unknown[], nodes: Nodes = {}) =>
      findWorkflowIssues(agentWorkflow({ desk: { handoffs }, nodes })).filter((issue) =>
        issue.path.startsWith("nodes.desk.handoffs"),
      );

    it("refuses a handoff to an unknown agent", () => {
      expect(handoffIssue(["refunds", "billing"])).toEqual([
        { code: "WORKFLOW_UNKNOWN_NODE", path: "nodes.desk.handoffs[1]", message: 'no node named "billing"' },
      ]);
    });

    it("refuses a handoff to a node that is not an agent, to itself, twice, or by a non-string", () => {
      const note = { kind: "task", run: () => ({}) } as Nodes[string];
      const issues = handoffIssue(["refunds", "note", "desk", "refunds", 7], { note });
      expect(issues.map((issue) => [issue.path, issue.message])).toEqual([
        ["nodes.desk.handoffs[1]", '"note" is a task node; a handoff goes to an agent node'],
        ["nodes.desk.handoffs[2]", "agent desk hands off to itself; a handoff goes to another agent node"],
        ["nodes.desk.handoffs[3]", "agent desk hands off to refunds twice"],
        ["nodes.desk.handoffs[4]", "must be the id of an agent node"],
      ]);
    });

    it("refuses a workflow tool named like a generated handoff tool", () => {
      const shadow = tool("handoff_to_refunds", "read", []);
      const issues = findWorkflowIssues(agentWorkflow({}, { tools: [lookupOrder, issueRefund, shadow] }));
      expect(issues).toEqual([
        {
          code: "WORKFLOW_INVALID",
          path: "nodes.desk.handoffs[0]",
          message:
            "agent desk's handoff to refunds is a generated tool named handoff_to_refunds, and the workflow already declares a tool of that name; rename the tool",
        },
      ]);
    });
  });

  describe("model routing (shape; the models themselves are checked at compile time)", () => {
    const routed = (models: unknown) => findWorkflowIssues(agentWorkflow({ desk: { models } }));

    it("accepts well-formed rules", () => {
      const models = {
        default: "fast",
        rules: [
          { use: "fast", budgetRemainingBelow: 0.2, reason: "budget nearly spent" },
          { use: "strong", contextTokensAbove: 6000 },
          { use: "strong", toolRiskAtLeast: "write" },
        ],
      };
      expect(routed(models)).toEqual([]);
    });

    it("refuses each malformed part at its path", () => {
      const models = {
        default: "",
        rules: [
          { use: "strong", contextTokensAbove: -1 },
          { use: "fast", budgetRemainingBelow: 1.5 },
          { use: "strong", toolRiskAtLeast: "high" },
          { use: "strong", contextTokensOver: 6000 },
          { toolRiskAtLeast: "write" },
        ],
      };
      expect(routed(models).map((issue) => issue.path)).toEqual([
        "nodes.desk.models.default",
        "nodes.desk.models.rules[0].contextTokensAbove",
        "nodes.desk.models.rules[1].budgetRemainingBelow",
        "nodes.desk.models.rules[2].toolRiskAtLeast",
        "nodes.desk.models.rules[3].contextTokensOver",
        // The misspelt condition leaves the rule with none: it would match every turn.
        "nodes.desk.models.rules[3]",
        "nodes.desk.models.rules[4].use",
      ]);
    });

    it("refuses routing that is not an object, and rules that are not an array", () => {
      expect(routed("fast").map((issue) => issue.path)).toEqual(["nodes.desk.models"]);
      expect(routed({ default: "fast", rules: {} }).map((issue) => issue.path)).toEqual([
        "nodes.desk.models.rules",
      ]);
    });

    it("checks a model step's routing too", () => {
      const ask = { kind: "model", instructions: "Ask", models: { default: "fast", rules: [{ use: "x" }] } };
      const issues = findWorkflowIssues(
        agentWorkflow({
          nodes: { ask } as unknown as Nodes,
          edges: [
            ["desk", "ask", "limit"],
            ["ask", END],
          ],
        }),
      );
      expect(issues.map((issue) => issue.path)).toEqual(["nodes.ask.models.rules[0]"]);
    });
  });
});
