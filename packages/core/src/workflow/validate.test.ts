import { WorkflowValidationError } from "@governor/errors";
import { type ApproverRegistry, defineIdentity } from "@governor/identity";
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
  type StateSchema,
  type WorkflowDefinition,
  type WorkflowEdge,
} from "./define-workflow.js";
import { findWorkflowIssues, validate } from "./validate.js";

const state = z.object({ request: z.string(), draft: z.string().optional() });
type State = z.output<typeof state>;

const sendEmail = defineTool({
  name: "send_email",
  description: "Send an email to a customer",
  input: z.object({ to: z.string(), body: z.string() }).strict(),
  scopes: ["mail:send"],
  risk: "write",
  handler: () => ({ sent: true }),
});

const policy = new RulePolicyEngine([
  { id: "support-may-email", actions: ["send_email"], effect: "permit", reason: "support may email" },
]);

const approvers = defineIdentity({
  roles: { "support-agent": ["mail:send"], lead: ["approvals:mail"] },
  agents: { support: { roles: ["support-agent"] } },
  approvers: { "lead:lee": { roles: ["lead"] } },
});

// Mutations swap nodes freely, and some tests change the state schema, so nodes are typed for any state.
type Nodes = WorkflowDefinition["nodes"];

/** A small workflow that validates: every governance node kind, one action behind its guards. */
function base() {
  const nodes = {
    load: { kind: "task", run: () => ({ draft: "" }) },
    compose: { kind: "model", instructions: "Write to the customer", tools: ["send_email"] },
    has_call: {
      kind: "route",
      branches: ["send", "skip"],
      decide: (_state: State, proposal: unknown) => (proposal ? "send" : "skip"),
    },
    check_send: { kind: "precondition", guards: "send", check: () => pass() },
    send_gate: { kind: "gate", guards: "send" },
    send_approval: { kind: "approval", guards: "send" },
    send: { kind: "action", tool: "send_email" },
  } as Record<string, Nodes[string]>;
  const edges: WorkflowEdge[] = [
    [START, "load"],
    ["load", "compose"],
    ["compose", "has_call"],
    ["has_call", "check_send", "send"],
    ["has_call", END, "skip"],
    ["check_send", "send_gate", "pass"],
    ["check_send", END, "fail"],
    ["send_gate", "send", "allow"],
    ["send_gate", "send_approval", "approval"],
    ["send_gate", END, "deny"],
    ["send_approval", "send", "approved"],
    ["send_approval", END, "rejected"],
    ["send", END],
  ];
  return { nodes, edges };
}

/** The base workflow after `change` edits a copy of its nodes and edges. */
function workflowWith(
  change: (parts: { nodes: Record<string, Nodes[string]>; edges: WorkflowEdge[] }) => void = () => {},
  overrides: { state?: StateSchema; approvers?: ApproverRegistry | null } = {},
) {
  const parts = base();
  change(parts);
  return defineWorkflow({
    name: "email-desk",
    state: overrides.state ?? state,
    agent: { id: "support", scopes: ["mail:send"] },
    tools: [sendEmail],
    policy,
    approvers: overrides.approvers === null ? undefined : (overrides.approvers ?? approvers),
    nodes: parts.nodes,
    edges: parts.edges,
  });
}

function indexOfEdge(edges: WorkflowEdge[], from: string, to: string, on?: string): number {
  const index = edges.findIndex((edge) => {
    const normalized = normalizeEdge(edge);
    return normalized.from === from && normalized.to === to && normalized.on === on;
  });
  if (index < 0) throw new Error(`test setup: no edge ${from} → ${to}`);
  return index;
}

/** Runs validate() and returns the error it must throw. */
function validationError(workflow: ReturnType<typeof workflowWith>): WorkflowValidationError {
  try {
    validate(workflow);
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowValidationError);
    return error as WorkflowValidationError;
  }
  throw new Error("validate() accepted a workflow it should refuse");
}

describe("validate", () => {
  it("accepts a workflow with a model, task, route, precondition, gate, approval and action", () => {
    const workflow = workflowWith();
    expect(() => validate(workflow)).not.toThrow();
    expect(findWorkflowIssues(workflow)).toEqual([]);
  });

  it("refuses a cycle and names the nodes in it", () => {
    // The route's "skip" branch loops back to the start of the business steps.
    const error = validationError(
      workflowWith(({ edges }) => {
        edges[indexOfEdge(edges, "has_call", END, "skip")] = ["has_call", "load", "skip"];
      }),
    );
    expect(error.code).toBe("WORKFLOW_CYCLE");
    const cycle = error.issues.find((issue) => issue.code === "WORKFLOW_CYCLE");
    for (const node of ["load", "compose", "has_call"]) expect(cycle?.message).toContain(node);
    expect(cycle?.message).not.toContain("send_gate");
  });

  it("refuses a self-loop", () => {
    const error = validationError(
      workflowWith(({ edges }) => {
        edges[indexOfEdge(edges, "has_call", END, "skip")] = ["has_call", "has_call", "skip"];
      }),
    );
    expect(error.code).toBe("WORKFLOW_CYCLE");
    expect(error.message).toContain("has_call");
  });

  it("refuses a node no path from START reaches", () => {
    const error = validationError(
      workflowWith(({ nodes, edges }) => {
        nodes.audit_note = { kind: "task", run: () => ({}) };
        edges.push(["audit_note", END]);
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNREACHABLE");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("nodes.audit_note");
    expect(error.message).toContain("audit_note cannot be reached from START");
  });

  it("refuses an edge to a node that does not exist, naming the edge", () => {
    let index = -1;
    const error = validationError(
      workflowWith(({ edges }) => {
        index = indexOfEdge(edges, "send", END);
        edges[index] = ["send", "notify"];
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNKNOWN_NODE");
    expect(error.issues[0]?.path).toBe(`edges[${index}].to`);
    expect(error.message).toContain(`edges[${index}].to`);
    expect(error.message).toContain('no node named "notify"');
  });

  it("refuses an action whose tool the workflow does not declare", () => {
    const error = validationError(
      workflowWith(({ nodes }) => {
        nodes.send = { kind: "action", tool: "send_fax" };
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNKNOWN_TOOL");
    expect(error.issues[0]?.path).toBe("nodes.send.tool");
    expect(error.message).toContain('no tool named "send_fax"');
  });

  it("refuses a model step offering a tool the workflow does not declare", () => {
    const error = validationError(
      workflowWith(({ nodes }) => {
        nodes.compose = {
          kind: "model",
          instructions: "Write to the customer",
          tools: ["send_email", "delete_account"],
        };
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNKNOWN_TOOL");
    expect(error.issues[0]?.path).toBe("nodes.compose.tools[1]");
    expect(error.message).toContain('no tool named "delete_account"');
  });

  it("refuses a route branch with no edge: a route to nowhere", () => {
    const error = validationError(
      workflowWith(({ edges }) => {
        edges.splice(indexOfEdge(edges, "has_call", END, "skip"), 1);
      }),
    );
    expect(error.code).toBe("WORKFLOW_DEAD_END");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("nodes.has_call");
    expect(error.message).toContain('has_call (route) can take the "skip" branch');
    expect(error.message).toContain("route to nowhere");
  });

  it("refuses a gate outcome with no edge: a route to nowhere", () => {
    const error = validationError(
      workflowWith(({ edges }) => {
        edges.splice(indexOfEdge(edges, "send_gate", END, "deny"), 1);
      }),
    );
    expect(error.code).toBe("WORKFLOW_DEAD_END");
    expect(error.issues[0]?.path).toBe("nodes.send_gate");
    expect(error.message).toContain('send_gate (gate) can take the "deny" branch');
    expect(error.message).toContain("route to nowhere");
  });

  it("refuses an action reachable without its precondition and shows the path", () => {
    // A "fast" branch of the route jumps straight to the gate, past check_send.
    const error = validationError(
      workflowWith(({ nodes, edges }) => {
        nodes.has_call = { kind: "route", branches: ["send", "skip", "fast"], decide: () => "fast" };
        edges.push(["has_call", "send_gate", "fast"]);
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("nodes.send");
    expect(error.message).toContain(
      "action send can be reached without passing its precondition (check_send)",
    );
    expect(error.message).toContain(`${START} → load → compose → has_call → send_gate → send`);
  });

  it("refuses an action reachable without its policy gate and shows the path", () => {
    // After the precondition, a second route can go to the action directly, past send_gate.
    const error = validationError(
      workflowWith(({ nodes, edges }) => {
        nodes.after_check = { kind: "route", branches: ["gate", "direct"], decide: () => "direct" };
        edges[indexOfEdge(edges, "check_send", "send_gate", "pass")] = ["check_send", "after_check", "pass"];
        edges.push(["after_check", "send_gate", "gate"], ["after_check", "send", "direct"]);
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain("action send can be reached without passing its policy gate (send_gate)");
    expect(error.message).toContain("check_send → after_check → send");
  });

  it("refuses an action whose precondition sends failures on towards it", () => {
    // Swapped labels: the check's "fail" branch leads to the gate, so a failed check still runs the action.
    const error = validationError(
      workflowWith(({ edges }) => {
        edges[indexOfEdge(edges, "check_send", "send_gate", "pass")] = ["check_send", "send_gate", "fail"];
        edges[indexOfEdge(edges, "check_send", END, "fail")] = ["check_send", END, "pass"];
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.message).toContain(
      "action send can be reached without passing its precondition (check_send)",
    );
    expect(error.message).toContain("check_send → send_gate → send");
  });

  it("refuses an action whose gate sends denials to it", () => {
    const error = validationError(
      workflowWith(({ edges }) => {
        edges[indexOfEdge(edges, "send_gate", END, "deny")] = ["send_gate", "send", "deny"];
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.message).toContain("action send can be reached without passing its policy gate (send_gate)");
  });

  it("refuses an action that an approval's rejection leads on to", () => {
    const error = validationError(
      workflowWith(({ edges }) => {
        edges[indexOfEdge(edges, "send_approval", END, "rejected")] = ["send_approval", "send", "rejected"];
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain(
      "action send can be reached without passing its policy allow or human approval",
    );
    expect(error.message).toContain("send_gate → send_approval → send");
  });

  it("refuses a malformed edge with a typed error instead of crashing", () => {
    const error = validationError(
      workflowWith(({ edges }) => {
        edges.push(null as unknown as WorkflowEdge);
      }),
    );
    expect(error.code).toBe("WORKFLOW_INVALID");
    expect(error.issues[0]?.path).toBe(`edges[${base().edges.length}]`);
  });

  it("refuses an action with no policy gate at all", () => {
    const error = validationError(
      workflowWith(({ nodes, edges }) => {
        delete nodes.send_gate;
        delete nodes.send_approval;
        const kept = edges
          .map(normalizeEdge)
          .filter((edge) => ![edge.from, edge.to].some((id) => id === "send_gate" || id === "send_approval"));
        edges.splice(0, edges.length, ...kept, ["check_send", "send", "pass"]);
      }),
    );
    expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("nodes.send");
    expect(error.message).toContain("action send has no policy gate");
  });

  it("refuses a node id that is also a state field", () => {
    const error = validationError(
      workflowWith(undefined, { state: state.extend({ send: z.boolean().optional() }) }),
    );
    expect(error.code).toBe("WORKFLOW_INVALID");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("nodes.send");
    expect(error.message).toContain('"send" is also a state field');
  });

  it("refuses a state field named messages, which Governor reserves", () => {
    const error = validationError(
      workflowWith(undefined, { state: state.extend({ messages: z.array(z.string()) }) }),
    );
    expect(error.code).toBe("WORKFLOW_INVALID");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("state.messages");
    expect(error.message).toContain('"messages" is reserved');
  });

  it("refuses a gate whose approval branch goes to a node that is not an approval", () => {
    // The approval branch goes to a task that only notifies someone: nothing would wait for a human.
    const error = validationError(
      workflowWith(({ nodes, edges }) => {
        delete nodes.send_approval;
        nodes.notify_team = { kind: "task", run: () => ({}) };
        const kept = edges
          .map(normalizeEdge)
          .filter((edge) => edge.from !== "send_approval" && edge.to !== "send_approval");
        edges.splice(
          0,
          edges.length,
          ...kept,
          ["send_gate", "notify_team", "approval"],
          ["notify_team", END],
        );
      }),
    );
    expect(error.code).toBe("WORKFLOW_INVALID");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("nodes.send_gate");
    expect(error.message).toContain('the "approval" branch of gate send_gate goes to notify_team');
  });

  it("lists every problem at once", () => {
    const workflow = workflowWith(({ nodes, edges }) => {
      nodes.send = { kind: "action", tool: "send_fax" };
      nodes.audit_note = { kind: "task", run: () => ({}) };
      edges.push(["audit_note", END]);
      edges.splice(indexOfEdge(edges, "send_gate", END, "deny"), 1);
    });
    const issues = findWorkflowIssues(workflow);
    expect(issues.map((issue) => issue.code)).toEqual(
      expect.arrayContaining(["WORKFLOW_UNKNOWN_TOOL", "WORKFLOW_DEAD_END", "WORKFLOW_UNREACHABLE"]),
    );
    expect(issues.map((issue) => issue.path)).toEqual(
      expect.arrayContaining(["nodes.send.tool", "nodes.send_gate", "nodes.audit_note"]),
    );

    const error = validationError(workflow);
    expect(error.issues).toHaveLength(issues.length);
    for (const issue of issues) expect(error.message).toContain(issue.path);
  });

  describe("approvers (an approval step nobody may answer fails closed)", () => {
    it("refuses an approval step when the workflow names no approvers", () => {
      const error = validationError(workflowWith(undefined, { approvers: null }));
      expect(error.code).toBe("WORKFLOW_INVALID");
      expect(error.issues).toHaveLength(1);
      expect(error.issues[0]?.path).toBe("nodes.send_approval");
      expect(error.message).toContain("send_approval has nobody entitled to decide it");
    });

    it("refuses an approval step whose required scope no approver holds", () => {
      const error = validationError(
        workflowWith(({ nodes }) => {
          nodes.send_approval = { kind: "approval", guards: "send", requiredScope: "approvals:refunds" };
        }),
      );
      expect(error.issues).toEqual([
        expect.objectContaining({
          code: "WORKFLOW_INVALID",
          path: "nodes.send_approval.requiredScope",
          message: expect.stringContaining("no approver holding approvals:refunds"),
        }),
      ]);
    });

    it("accepts an approval step whose required scope an approver holds", () => {
      const workflow = workflowWith(({ nodes }) => {
        nodes.send_approval = { kind: "approval", guards: "send", requiredScope: "approvals:mail" };
      });
      expect(findWorkflowIssues(workflow)).toEqual([]);
    });
  });

  describe("node names from Object.prototype are names like any other", () => {
    for (const name of ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf"]) {
      it(`refuses an edge to or from an undeclared "${name}"`, () => {
        const error = validationError(
          workflowWith(({ edges }) => {
            edges.push([name, "send"], ["load", name]);
          }),
        );
        const unknown = error.issues.filter((issue) => issue.code === "WORKFLOW_UNKNOWN_NODE");
        expect(unknown.map((issue) => issue.path)).toEqual(
          expect.arrayContaining([
            `edges[${base().edges.length}].from`,
            `edges[${base().edges.length + 1}].to`,
          ]),
        );
      });

      it(`refuses a guard naming an undeclared "${name}"`, () => {
        const error = validationError(
          workflowWith(({ nodes }) => {
            nodes.extra_check = { kind: "precondition", guards: name, check: () => pass() };
          }),
        );
        expect(error.issues).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ code: "WORKFLOW_UNKNOWN_NODE", path: "nodes.extra_check.guards" }),
          ]),
        );
      });
    }

    it('refuses a node kind named "toString" or "constructor" instead of finding it on the prototype', () => {
      for (const kind of ["toString", "constructor"]) {
        const error = validationError(
          workflowWith(({ nodes }) => {
            nodes.load = { kind, run: () => ({}) } as unknown as Nodes[string];
          }),
        );
        expect(error.issues).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              path: "nodes.load.kind",
              message: expect.stringContaining(`"${kind}"`),
            }),
          ]),
        );
      }
    });

    it("refuses a declared node named constructor or toString with one clear issue", () => {
      // Graph libraries (graphology's path search, LangGraph's builder) key plain objects by node id.
      for (const name of ["constructor", "toString"]) {
        const workflow = workflowWith(({ nodes, edges }) => {
          nodes[name] = nodes.load as Nodes[string];
          delete nodes.load;
          edges[indexOfEdge(edges, START, "load")] = [START, name];
          edges[indexOfEdge(edges, "load", "compose")] = [name, "compose"];
        });
        expect(findWorkflowIssues(workflow)).toEqual([
          expect.objectContaining({
            code: "WORKFLOW_INVALID",
            path: `nodes.${name}`,
            message: expect.stringContaining("Object.prototype"),
          }),
        ]);
      }
    });
  });

  describe("gates: facts and sufficiency", () => {
    const withoutPrecondition = (gate: Partial<Nodes[string]> = {}) =>
      workflowWith(({ nodes, edges }) => {
        delete nodes.check_send;
        nodes.send_gate = { kind: "gate", guards: "send", ...gate } as Nodes[string];
        const kept = edges.map(normalizeEdge).filter((e) => e.from !== "check_send" && e.to !== "check_send");
        edges.splice(0, edges.length, ...kept, ["has_call", "send_gate", "send"]);
      });

    it("refuses an action with no precondition when its gate is not declared sufficient", () => {
      const error = validationError(withoutPrecondition());
      expect(error.code).toBe("WORKFLOW_UNGUARDED_ACTION");
      expect(error.issues).toHaveLength(1);
      expect(error.message).toContain("action send has no precondition");
      expect(error.message).toContain("sufficient");
    });

    it("accepts an action with no precondition when its gate declares itself sufficient, with a reason", () => {
      const workflow = withoutPrecondition({ sufficient: { reason: "the Cedar policy checks every fact" } });
      expect(findWorkflowIssues(workflow)).toEqual([]);
    });

    it("refuses a sufficiency declaration without a reason", () => {
      const error = validationError(withoutPrecondition({ sufficient: { reason: " " } }));
      expect(error.issues).toEqual(
        expect.arrayContaining([expect.objectContaining({ path: "nodes.send_gate.sufficient" })]),
      );
      expect(error.issues.some((issue) => issue.code === "WORKFLOW_UNGUARDED_ACTION")).toBe(true);
    });

    it("still refuses an action reachable without its gate, even when the gate declares itself sufficient", () => {
      const error = validationError(
        workflowWith(({ nodes, edges }) => {
          nodes.send_gate = { kind: "gate", guards: "send", sufficient: { reason: "policy covers it" } };
          edges[indexOfEdge(edges, "has_call", "check_send", "send")] = ["has_call", "send", "send"];
        }),
      );
      expect(error.issues).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            code: "WORKFLOW_UNGUARDED_ACTION",
            message: expect.stringContaining("without passing its policy gate"),
          }),
        ]),
      );
    });

    it("still refuses an action with no gate at all when a sufficient gate guards another action", () => {
      const error = validationError(
        workflowWith(({ nodes }) => {
          nodes.send_gate = { kind: "gate", guards: "send", sufficient: { reason: "policy covers it" } };
          nodes.send_approval = { kind: "approval", guards: "send" };
          delete nodes.check_send;
        }),
      );
      expect(
        error.issues.some(
          (issue) => issue.code === "WORKFLOW_UNKNOWN_NODE" || issue.code === "WORKFLOW_UNGUARDED_ACTION",
        ),
      ).toBe(true);
    });

    it("refuses facts declared together with context or resource, and fact fields that are not functions", () => {
      const error = validationError(
        workflowWith(({ nodes }) => {
          nodes.send_gate = {
            kind: "gate",
            guards: "send",
            facts: async () => ({ context: {} }),
            context: () => ({}),
            resource: "order" as unknown as () => undefined,
          };
        }),
      );
      expect(error.issues.map((issue) => issue.path)).toEqual(
        expect.arrayContaining(["nodes.send_gate.facts", "nodes.send_gate.resource"]),
      );
    });
  });
});
