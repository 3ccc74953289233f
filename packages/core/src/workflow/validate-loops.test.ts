import type { WorkflowIssue } from "@governor/errors";
import { defineIdentity } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pass } from "../nodes/precondition-node.js";
import { defineTool } from "../tools/define-tool.js";
import {
  defineWorkflow,
  END,
  normalizeEdge,
  START,
  type WorkflowDefinition,
  type WorkflowEdge,
} from "./define-workflow.js";
import { findWorkflowIssues } from "./validate.js";

const state = z.object({ request: z.string() });
type Nodes = Record<string, WorkflowDefinition["nodes"][string]>;

const lookupOrder = defineTool({
  name: "lookup_order",
  description: "Look up an order",
  input: z.object({ id: z.string() }).strict(),
  scopes: ["orders:read"],
  risk: "read",
  handler: () => ({ status: "delivered" }),
});
const issueRefund = defineTool({
  name: "issue_refund",
  description: "Refund an order",
  input: z.object({ id: z.string() }).strict(),
  scopes: ["refunds:write"],
  risk: "write",
  handler: () => ({ refunded: true }),
});

const policy = new RulePolicyEngine([
  { id: "desk", actions: ["lookup_order", "issue_refund"], effect: "permit", reason: "the desk may" },
]);
const approvers = defineIdentity({
  roles: { desk: ["orders:read", "refunds:write"], lead: ["approvals:refunds"] },
  agents: { desk: { roles: ["desk"] } },
  approvers: { "lead:lee": { roles: ["lead"] } },
});

const agentNode = (fields: Record<string, unknown> = {}) =>
  ({
    kind: "agent",
    instructions: "Help the customer",
    tools: ["lookup_order"],
    maxTurns: 10,
    ...fields,
  }) as Nodes[string];
const task = { kind: "task", run: () => ({}) } as Nodes[string];
const route = (...branches: string[]) =>
  ({ kind: "route", branches, decide: () => branches[0] }) as Nodes[string];

/**
 * A desk agent that reads orders in its loop, then a model step proposes a refund that
 * passes its precondition, gate and approval before it runs; every way on returns to the
 * desk: one bounded loop, `desk → propose → has_call → check → gate → refund → desk`.
 */
function base() {
  const nodes: Nodes = {
    desk: agentNode(),
    propose: { kind: "model", instructions: "Propose a refund", tools: ["issue_refund"] },
    has_call: route("refund", "done"),
    check: { kind: "precondition", guards: "refund", check: () => pass() },
    gate: { kind: "gate", guards: "refund" },
    approve: { kind: "approval", guards: "refund" },
    refund: { kind: "action", tool: "issue_refund" },
  };
  const edges: WorkflowEdge[] = [
    [START, "desk"],
    ["desk", "propose"],
    ["propose", "has_call"],
    ["has_call", "check", "refund"],
    ["has_call", END, "done"],
    ["check", "gate", "pass"],
    ["check", "desk", "fail"],
    ["gate", "refund", "allow"],
    ["gate", "approve", "approval"],
    ["gate", "desk", "deny"],
    ["approve", "refund", "approved"],
    ["approve", "desk", "rejected"],
    ["refund", "desk"],
  ];
  return { nodes, edges };
}

function loopWorkflow(change: (parts: { nodes: Nodes; edges: WorkflowEdge[] }) => void = () => {}) {
  const parts = base();
  change(parts);
  return defineWorkflow({
    name: "refund-loop",
    state,
    agent: { id: "desk", scopes: ["orders:read", "refunds:write"] },
    tools: [lookupOrder, issueRefund],
    policy,
    approvers,
    nodes: parts.nodes,
    edges: parts.edges,
  });
}

/** Replaces the edge from → to (with its label) by `edge`. */
function replaceEdge(edges: WorkflowEdge[], from: string, to: string, edge: WorkflowEdge): void {
  const index = edges.findIndex((candidate) => {
    const normalized = normalizeEdge(candidate);
    return normalized.from === from && normalized.to === to;
  });
  if (index < 0) throw new Error(`test setup: no edge ${from} → ${to}`);
  edges[index] = edge;
}

const byCode = (issues: WorkflowIssue[], code: WorkflowIssue["code"]) =>
  issues.filter((issue) => issue.code === code);

describe("validate: loops are bounded agent loops", () => {
  it("accepts a loop through an agent in which the action passes its guards on every lap", () => {
    expect(findWorkflowIssues(loopWorkflow())).toEqual([]);
  });

  describe("cycles", () => {
    it("refuses a cycle through no agent, naming its nodes in order", () => {
      // A failed precondition goes back to the model step instead of the desk agent.
      const issues = findWorkflowIssues(
        loopWorkflow(({ edges }) => replaceEdge(edges, "check", "desk", ["check", "propose", "fail"])),
      );
      expect(issues).toEqual([
        {
          code: "WORKFLOW_CYCLE",
          path: "nodes.propose",
          message:
            "nodes propose → has_call → check form a cycle (check → propose closes it) that no agent turn bounds: a workflow may loop only through an agent node, whose maxTurns caps every lap; route the loop through an agent node or remove the edge that closes it",
        },
      ]);
    });

    it("names the other nodes of a tangle of loops that share a cycle", () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.note = task;
          replaceEdge(edges, "check", "desk", ["check", "propose", "fail"]);
          replaceEdge(edges, "has_call", END, ["has_call", "note", "done"]);
          edges.push(["note", "has_call"]);
        }),
      );
      expect(byCode(issues, "WORKFLOW_CYCLE").map((issue) => issue.message)).toEqual([
        expect.stringContaining(
          "nodes propose → has_call → check form a cycle (check → propose closes it) that no agent turn bounds; note loop with them",
        ),
      ]);
    });

    it("refuses a self-loop on a task", () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.note = route("again", "on");
          replaceEdge(edges, "refund", "desk", ["refund", "note"]);
          edges.push(["note", "note", "again"], ["note", "desk", "on"]);
        }),
      );
      expect(issues).toEqual([
        expect.objectContaining({
          code: "WORKFLOW_CYCLE",
          path: "nodes.note",
          message: expect.stringContaining(
            "nodes note form a cycle (note → note closes it) that no agent turn bounds",
          ),
        }),
      ]);
    });

    it("accepts an agent that loops on itself when it answers: each lap is a turn", () => {
      const workflow = loopWorkflow(({ nodes, edges }) => {
        nodes.ask = agentNode();
        replaceEdge(edges, "refund", "desk", ["refund", "ask"]);
        edges.push(["ask", "ask"]);
      });
      expect(findWorkflowIssues(workflow)).toEqual([]);
    });

    it('refuses a loop that leaves its only agent by "limit": once the turns are used up, no lap takes one', () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.wrap_up = task;
          edges.push(["desk", "wrap_up", "limit"], ["wrap_up", "desk"]);
        }),
      );
      expect(issues).toEqual([
        {
          code: "WORKFLOW_CYCLE",
          path: "nodes.desk",
          message:
            'nodes desk → wrap_up form a cycle (wrap_up → desk closes it) that no agent turn bounds (it leaves agent desk by the "limit" edge, which takes no turn once the turns are used up): a workflow may loop only through an agent node, whose maxTurns caps every lap; route the loop through an agent node or remove the edge that closes it',
        },
      ]);
    });

    it('refuses an agent whose "limit" edge goes back to itself', () => {
      const issues = findWorkflowIssues(loopWorkflow(({ edges }) => edges.push(["desk", "desk", "limit"])));
      expect(byCode(issues, "WORKFLOW_CYCLE")).toEqual([
        expect.objectContaining({
          message: expect.stringContaining("nodes desk form a cycle (desk → desk closes it)"),
        }),
      ]);
    });

    it("accepts a limit edge into another agent's bounded loop", () => {
      const workflow = loopWorkflow(({ nodes, edges }) => {
        nodes.escalate = agentNode();
        edges.push(["desk", "escalate", "limit"], ["escalate", "desk"], ["escalate", END, "limit"]);
      });
      expect(findWorkflowIssues(workflow)).toEqual([]);
    });
  });

  describe("handoffs are edges of the graph", () => {
    const withSpecialist = (handoffs: string[] | undefined) =>
      loopWorkflow(({ nodes, edges }) => {
        nodes.desk = agentNode({ handoffs });
        nodes.specialist = agentNode();
        edges.push(["specialist", "desk"]);
      });

    it("accepts a supervisor ⇄ specialist cycle, the specialist reached only by handoff", () => {
      expect(findWorkflowIssues(withSpecialist(["specialist"]))).toEqual([]);
    });

    it("reports the specialist unreachable when no agent hands off to it", () => {
      expect(findWorkflowIssues(withSpecialist(undefined))).toEqual([
        expect.objectContaining({ code: "WORKFLOW_UNREACHABLE", path: "nodes.specialist" }),
      ]);
    });

    it("accepts agents handing off to each other both ways", () => {
      const workflow = loopWorkflow(({ nodes, edges }) => {
        nodes.desk = agentNode({ handoffs: ["specialist"] });
        nodes.specialist = agentNode({ handoffs: ["desk"] });
        edges.push(["specialist", END]);
      });
      expect(findWorkflowIssues(workflow)).toEqual([]);
    });

    it("refuses a specialist, reached only by handoff, that goes straight to an action", () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.desk = agentNode({ handoffs: ["specialist"] });
          nodes.specialist = agentNode();
          replaceEdge(edges, "refund", "desk", ["refund", END]);
          edges.push(["specialist", "refund"]);
        }),
      );
      expect(byCode(issues, "WORKFLOW_UNGUARDED_ACTION").map((issue) => issue.message)).toEqual([
        `action refund can be reached without passing its precondition (check): ${START} → desk → specialist → refund`,
        `action refund can be reached without passing its policy gate (gate): ${START} → desk → specialist → refund`,
      ]);
    });
  });

  describe("the ungated-action rule holds on every lap", () => {
    it("refuses a loop through an agent that re-enters the action without its gate, naming the loop and the path", () => {
      // After a refund, a follow-up agent's route may repeat it: the call the gate saw a lap ago.
      // Old rule (reachable from START past the guards?) says no: only a refund leads there.
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.follow_up = agentNode();
          nodes.after_follow = route("desk", "repeat");
          replaceEdge(edges, "refund", "desk", ["refund", "follow_up"]);
          edges.push(
            ["follow_up", "after_follow"],
            ["after_follow", "desk", "desk"],
            ["after_follow", "refund", "repeat"],
          );
        }),
      );
      const loop = "follow_up → after_follow → desk → propose → has_call → check → gate → refund → follow_up";
      expect(issues).toEqual([
        {
          code: "WORKFLOW_UNGUARDED_ACTION",
          path: "nodes.refund",
          message: `action refund can be reached again without passing its precondition (check) in the loop ${loop}: refund → follow_up → after_follow → refund`,
        },
        {
          code: "WORKFLOW_UNGUARDED_ACTION",
          path: "nodes.refund",
          message: `action refund can be reached again without passing its policy gate (gate) in the loop ${loop}: refund → follow_up → after_follow → refund`,
        },
      ]);
    });

    it("refuses a way back to the action on the first lap too, from START", () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.after_desk = route("propose", "repeat");
          replaceEdge(edges, "desk", "propose", ["desk", "after_desk"]);
          edges.push(["after_desk", "propose", "propose"], ["after_desk", "refund", "repeat"]);
        }),
      );
      expect(issues.map((issue) => issue.message)).toEqual([
        `action refund can be reached without passing its precondition (check): ${START} → desk → after_desk → refund`,
        `action refund can be reached without passing its policy gate (gate): ${START} → desk → after_desk → refund`,
      ]);
    });

    it("refuses a second gate with swapped labels met only on a later lap", () => {
      // After the refund, a follow-up agent re-checks the refund with a gate whose "deny" leads to it.
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.follow_up = agentNode();
          nodes.regate = { kind: "gate", guards: "refund" };
          replaceEdge(edges, "refund", "desk", ["refund", "follow_up"]);
          edges.push(
            ["follow_up", "regate"],
            ["regate", "desk", "allow"],
            ["regate", "approve", "approval"],
            ["regate", "refund", "deny"],
          );
        }),
      );
      const unguarded = byCode(issues, "WORKFLOW_UNGUARDED_ACTION").map((issue) => issue.message);
      expect(unguarded).toEqual([
        expect.stringContaining(
          "action refund can be reached again without passing its precondition (check) in the loop",
        ),
        expect.stringContaining(
          "action refund can be reached again without passing its policy gate (gate, regate) in the loop",
        ),
      ]);
      for (const message of unguarded) expect(message).toMatch(/: refund → follow_up → regate → refund$/);
      expect(issues).toHaveLength(2);
    });

    it("refuses a handoff cycle that re-enters the action without its gate", () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.desk = agentNode({ handoffs: ["specialist"] });
          nodes.specialist = agentNode();
          edges.push(["specialist", "refund"]);
        }),
      );
      // From START the specialist is also reached by handoff, before any refund: that path is shown.
      expect(byCode(issues, "WORKFLOW_UNGUARDED_ACTION").map((issue) => issue.message)).toEqual([
        expect.stringContaining(`precondition (check): ${START} → desk → specialist → refund`),
        expect.stringContaining(`policy gate (gate): ${START} → desk → specialist → refund`),
      ]);
    });

    it("refuses a handoff on a later lap that re-enters the action without its gate", () => {
      // Only the follow-up agent, met after a refund, hands off to the specialist.
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.follow_up = agentNode({ handoffs: ["specialist"] });
          nodes.specialist = agentNode();
          replaceEdge(edges, "refund", "desk", ["refund", "follow_up"]);
          edges.push(["follow_up", "desk"], ["specialist", "refund"]);
        }),
      );
      const gate = byCode(issues, "WORKFLOW_UNGUARDED_ACTION").find((issue) =>
        issue.message.includes("gate (gate)"),
      );
      expect(gate?.message).toBe(
        "action refund can be reached again without passing its policy gate (gate) in the loop follow_up → desk → propose → has_call → check → gate → refund → follow_up: refund → follow_up → specialist → refund",
      );
    });

    it("refuses a model step after the gate: its new proposal was never checked (also in a DAG)", () => {
      const issues = findWorkflowIssues(
        loopWorkflow(({ nodes, edges }) => {
          nodes.repropose = { kind: "model", instructions: "Reconsider", tools: ["issue_refund"] };
          replaceEdge(edges, "gate", "refund", ["gate", "repropose", "allow"]);
          edges.push(["repropose", "refund"]);
        }),
      );
      expect(byCode(issues, "WORKFLOW_UNGUARDED_ACTION").map((issue) => issue.message)).toEqual([
        "action refund can be reached without passing its precondition (check) after model step repropose makes a new proposal: repropose → refund",
        "action refund can be reached without passing its policy gate (gate) after model step repropose makes a new proposal: repropose → refund",
      ]);
    });

    it("accepts the same loop when every way back to the action passes the guards again", () => {
      const workflow = loopWorkflow(({ nodes, edges }) => {
        nodes.after_desk = route("propose", "repeat");
        replaceEdge(edges, "desk", "propose", ["desk", "after_desk"]);
        edges.push(["after_desk", "propose", "propose"], ["after_desk", "check", "repeat"]);
      });
      expect(findWorkflowIssues(workflow)).toEqual([]);
    });
  });
});
