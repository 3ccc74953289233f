import { defineIdentity } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { pass } from "../nodes/precondition-node.js";
import { defineTool } from "../tools/define-tool.js";
import { defineWorkflow, END, START, type WorkflowDefinition, type WorkflowEdge } from "./define-workflow.js";
import { findWorkflowIssues } from "./validate.js";

// What a newcomer's first mistakes look like to `governor validate`: one typo, one problem.

type Nodes = WorkflowDefinition["nodes"];

const policy = new RulePolicyEngine([
  { id: "support-may-email", actions: ["send_email"], effect: "permit", reason: "support may email" },
]);
const approvers = defineIdentity({
  roles: { "support-agent": ["mail:send"], lead: ["approvals:mail"] },
  agents: { support: { roles: ["support-agent"] } },
  approvers: { "lead:lee": { roles: ["lead"] } },
});

function emailTool(input: z.ZodType) {
  return defineTool({
    name: "send_email",
    description: "Send an email",
    input,
    scopes: ["mail:send"],
    risk: "write",
    handler: () => ({ sent: true }),
  });
}

/** The README's shape: a model proposes, precondition, gate, approval, action. */
function workflowWith(
  change: (nodes: Record<string, Nodes[string]>) => void = () => {},
  input: z.ZodType = z.object({ to: z.string() }),
) {
  const nodes = {
    compose: { kind: "model", instructions: "Write", tools: ["send_email"] },
    check: { kind: "precondition", guards: "send", check: () => pass() },
    gate: { kind: "gate", guards: "send" },
    approve: { kind: "approval", guards: "send", requiredScope: "approvals:mail" },
    send: { kind: "action", tool: "send_email" },
  } as Record<string, Nodes[string]>;
  change(nodes);
  const edges: WorkflowEdge[] = [
    [START, "compose"],
    ["compose", "check"],
    ["check", "gate", "pass"],
    ["check", END, "fail"],
    ["gate", "send", "allow"],
    ["gate", "approve", "approval"],
    ["gate", END, "deny"],
    ["approve", "send", "approved"],
    ["approve", END, "rejected"],
    ["send", END],
  ];
  return defineWorkflow({
    name: "email-desk",
    state: z.object({ request: z.string() }),
    agent: { id: "support", scopes: ["mail:send"] },
    tools: [emailTool(input)],
    policy,
    approvers,
    nodes,
    edges,
  });
}

function retyped(id: string, kind: unknown) {
  return workflowWith((nodes) => {
    nodes[id] = { ...nodes[id], kind } as Nodes[string];
  });
}

describe("a node kind typo", () => {
  it("accepts the untouched workflow (the baseline the typos break)", () => {
    expect(findWorkflowIssues(workflowWith())).toEqual([]);
  });

  it.each([
    ["gate", "gaet"],
    ["check", "precondtion"],
    ["approve", "aproval"],
    ["send", "acton"],
    ["compose", "modle"],
    ["gate", "Gate"],
    ["gate", 42],
    ["gate", undefined],
    ["gate", "toString"],
  ])("%s with kind %j is one problem naming the node and the allowed kinds", (id, kind) => {
    const issues = findWorkflowIssues(retyped(id, kind));
    expect(issues, JSON.stringify(issues, null, 1)).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: "WORKFLOW_INVALID", path: `nodes.${id}.kind` });
    expect(issues[0]?.message).toContain("gate, approval, action");
  });

  it("still reports problems elsewhere, independent of the typo", () => {
    const workflow = workflowWith((nodes) => {
      nodes.gate = { ...nodes.gate, kind: "gaet" } as Nodes[string];
      nodes.send = { kind: "action", tool: "send_mail" } as Nodes[string];
    });
    const issues = findWorkflowIssues(workflow);
    expect(issues.map((issue) => issue.path).sort()).toEqual(["nodes.gate.kind", "nodes.send.tool"]);
  });
});

describe("a tool whose input is not an object", () => {
  it.each([
    ["a string", z.string()],
    ["a number", z.number()],
    ["an array", z.array(z.object({ to: z.string() }))],
    ["a union with a string", z.union([z.object({ to: z.string() }), z.string()])],
    ["an optional object", z.object({ to: z.string() }).optional()],
    ["any", z.any()],
  ])("is refused when it is %s", (_what, input) => {
    const issues = findWorkflowIssues(workflowWith(undefined, input));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: "WORKFLOW_INVALID", path: "tools[0].input" });
    expect(issues[0]?.message).toMatch(/send_email.*every call would be refused.*z\.object/);
  });

  it.each([
    ["an object", z.object({ to: z.string() })],
    ["a strict object", z.strictObject({ to: z.string() })],
    ["a refined object", z.object({ to: z.string() }).refine((v) => v.to !== "")],
    ["a transformed object", z.object({ to: z.string() }).transform((v) => ({ ...v, at: 1 }))],
    ["a union of objects", z.union([z.object({ to: z.string() }), z.object({ cc: z.string() })])],
    [
      "an intersection of objects",
      z.intersection(z.object({ to: z.string() }), z.object({ cc: z.string() })),
    ],
  ])("is accepted when it is %s", (_what, input) => {
    expect(findWorkflowIssues(workflowWith(undefined, input))).toEqual([]);
  });
});
