import { defineWorkflow, END, START, type Workflow } from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { RulePolicyEngine } from "@governor/policy";
import { z } from "zod";

/** Markup, a handler, a script URL, entities and both quotes: what an author's text may hold. */
export const HOSTILE = `<script>alert("x")</script><img src=x onerror='alert(1)'> &amp; &lt; a "q" 'q' javascript:alert(1) </g></svg>`;
export const LONG = `${HOSTILE} ${"a long description. ".repeat(100)}`.slice(0, 2000);

/** A small valid workflow whose free text is hostile: its name, descriptions, branch names, a policy reason. */
export function hostileWorkflow(): Workflow {
  const tool = {
    name: "pay",
    description: HOSTILE,
    input: z.object({ amount: z.number() }).strict(),
    scopes: ["pay"],
    risk: "write" as const,
    handler: () => "paid",
  };
  return defineWorkflow({
    name: `refunds ${HOSTILE}`,
    state: z.object({ request: z.string() }),
    agent: { id: "agent", scopes: ["pay"] },
    tools: [tool],
    policy: new RulePolicyEngine([{ id: "permit", effect: "permit", actions: ["pay"], reason: HOSTILE }]),
    approvers: defineIdentity({
      roles: { boss: ["approvals:pay"], payer: ["pay"] },
      agents: { agent: { roles: ["payer"] } },
      approvers: { "boss:sam": { roles: ["boss"] } },
    }),
    nodes: {
      pick: {
        kind: "route",
        description: LONG,
        branches: [`<a href="javascript:x">go</a>`, "stop & 'wait'"],
        decide: () => "stop",
      },
      check: { kind: "precondition", guards: "act", check: () => ({ ok: true }) },
      gate: { kind: "gate", guards: "act", description: '\u0000\u001b[31mred\uD800 and "quoted"' },
      approve: { kind: "approval", guards: "act", requiredScope: "approvals:pay" },
      act: { kind: "action", tool: "pay" },
    },
    edges: [
      [START, "pick"],
      ["pick", "check", `<a href="javascript:x">go</a>`],
      ["pick", END, "stop & 'wait'"],
      ["check", "gate", "pass"],
      ["check", END, "fail"],
      ["gate", "act", "allow"],
      ["gate", "approve", "approval"],
      ["gate", END, "deny"],
      ["approve", "act", "approved"],
      ["approve", END, "rejected"],
      ["act", END],
    ],
  });
}
