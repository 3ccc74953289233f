import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineTool, defineWorkflow, END, GovernorRuntime, pass, START } from "@governor/core";
import { defineIdentity } from "@governor/identity";
import type { ScenarioView } from "@governor/models";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";

// PII masking before the model: the scripted model records every prompt it is shown, and
// answers with a tool call that uses the placeholder it saw; the tool must get the real value.
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function desk(options: { modelMaySee?: boolean } = {}) {
  const seen: string[] = [];
  const sent: { to: string; body: string }[] = [];
  const sendMail = defineTool({
    name: "send_mail",
    description: "Email a customer",
    input: z.object({ to: z.string(), body: z.string() }).strict(),
    scopes: ["mail:send"],
    risk: "write",
    handler: (args) => {
      sent.push(args);
      return { sent: true };
    },
  });
  const model = new ScenarioChatModel(
    defineScenario({
      name: "mailer",
      turns: [
        {
          reply: (view: ScenarioView) => {
            seen.push(view.messages.map((m) => String(m.content)).join("\n"));
            const address =
              view.lastHuman.match(/<(\[[A-Z]+_[0-9a-f]{6}\]|[\w.+-]+@[\w.-]+)>/)?.[1] ?? "nobody";
            return {
              text: "",
              toolCalls: [{ name: "send_mail", args: { to: address, body: "Your card is blocked." } }],
            };
          },
        },
      ],
    }),
  );
  const workflow = defineWorkflow({
    name: "mailer",
    state: z.object({ request: z.string(), customer: z.object({ name: z.string(), email: z.string() }) }),
    agent: { id: "mailer", scopes: ["mail:send"] },
    approvers: defineIdentity({
      roles: { approver: ["approvals:mail"], worker: ["work:do"] },
      agents: { mailer: { roles: ["worker"] } },
      approvers: { "mail:lead": { roles: ["approver"] } },
    }),
    tools: [sendMail],
    policy: new RulePolicyEngine([{ id: "may-mail", effect: "permit", reason: "ok" }]),
    privacy: { sensitive: ["customer"], modelMaySee: options.modelMaySee },
    nodes: {
      draft: {
        kind: "model",
        instructions: "Email the customer.",
        input: (s) => `${s.customer.name} <${s.customer.email}>: ${s.request}`,
        tools: ["send_mail"],
      },
      check: { kind: "precondition", guards: "send", check: () => pass() },
      gate: { kind: "gate", guards: "send" },
      approve: { kind: "approval", guards: "send" },
      send: { kind: "action", tool: "send_mail" },
    },
    edges: [
      [START, "draft"],
      ["draft", "check"],
      ["check", "gate", "pass"],
      ["check", END, "fail"],
      ["gate", "send", "allow"],
      ["gate", "approve", "approval"],
      ["gate", END, "deny"],
      ["approve", "send", "approved"],
      ["approve", END, "rejected"],
      ["send", END],
    ],
  });
  return { workflow, model, seen, sent };
}

async function run(options: { modelMaySee?: boolean } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-privacy-"));
  dirs.push(dir);
  const runtime = new GovernorRuntime({ dir });
  const fixture = desk(options);
  try {
    const outcome = await runtime.start(
      fixture.workflow,
      {
        request: "Block my card 4242 4242 4242 4242 and call me on +1 415-555-0199.",
        customer: { name: "Dana Whitfield", email: "dana@example.com" },
      },
      { model: fixture.model },
    );
    return { ...fixture, outcome, audit: runtime.store.audit.list(outcome.threadId) };
  } finally {
    runtime.close();
  }
}

describe("personal data is masked before the model", () => {
  it("never shows the model the email, card, phone or sensitive name, yet the tool gets the real address", async () => {
    const { seen, sent, outcome } = await run();
    expect(outcome.status).toBe("completed");
    const prompt = seen.join("\n");
    for (const secret of ["dana@example.com", "4242 4242 4242 4242", "415-555-0199", "Dana Whitfield"]) {
      expect(prompt).not.toContain(secret);
    }
    expect(prompt).toMatch(/\[PII_[0-9a-f]{6}\] <\[PII_[0-9a-f]{6}\]>/);
    expect(prompt).toMatch(/\[CARD_[0-9a-f]{6}\]/);
    expect(sent).toEqual([{ to: "dana@example.com", body: "Your card is blocked." }]);
    // State keeps the real values for tools and auditors.
    expect(JSON.stringify(outcome.state.customer)).toContain("dana@example.com");
  });

  it("shows the model everything when the workflow declares it may see it", async () => {
    const { seen, sent } = await run({ modelMaySee: true });
    expect(seen.join("\n")).toContain("dana@example.com");
    expect(sent[0]?.to).toBe("dana@example.com");
  });
});
