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

// Masking across turns: on a later model call the conversation holds the model's own earlier
// tool call (state keeps it unmasked, so the tool got real values) and the tool's result. Both
// go back to the model masked, in every field a model API would send, or the first turn's
// masking is undone by the second.
const EMAIL = "dana@example.com";
const CARD = "4242 4242 4242 4242";
const PHONE = "+1 415-555-0199";
const RAW = [EMAIL, CARD, "4242424242424242", PHONE, "415-555-0199"];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function desk() {
  const received: Record<string, unknown>[] = [];
  /** Everything the model was sent on each call, serialized as LangChain serializes messages. */
  const prompts: string[] = [];
  const blockCard = defineTool({
    name: "block_card",
    description: "Block a customer's card and confirm by e-mail",
    input: z.object({ email: z.string(), card: z.string() }).strict(),
    scopes: ["cards:block"],
    risk: "write",
    handler: (args) => {
      received.push(args);
      // The result repeats the real values, as systems of record do.
      return { blocked: args.card, confirmationSentTo: args.email, callback: PHONE };
    },
  });
  const model = new ScenarioChatModel(
    defineScenario({
      name: "cards",
      turns: [
        {
          when: { system: /Block the card/ },
          reply: (view: ScenarioView) => {
            prompts.push(JSON.stringify(view.messages));
            // The model writes the placeholders it was shown; Governor unmasks them for the tool.
            const [email, card] = [/\[EMAIL_[0-9a-f]{6}\]/, /\[CARD_[0-9a-f]{6}\]/].map(
              (pattern) => view.lastHuman.match(pattern)?.[0] ?? "unseen",
            );
            return { text: "", toolCalls: [{ name: "block_card", args: { email, card } }] };
          },
        },
        {
          when: { system: /Report/ },
          reply: (view: ScenarioView) => {
            prompts.push(JSON.stringify(view.messages));
            return { text: "Done." };
          },
        },
      ],
    }),
  );
  const workflow = defineWorkflow({
    name: "cards",
    state: z.object({ request: z.string() }),
    agent: { id: "cards", scopes: ["cards:block"] },
    approvers: defineIdentity({
      roles: { approver: ["approvals:cards"], worker: ["work:do"] },
      agents: { cards: { roles: ["worker"] } },
      approvers: { "cards:lead": { roles: ["approver"] } },
    }),
    tools: [blockCard],
    policy: new RulePolicyEngine([{ id: "may-block", effect: "permit", reason: "ok" }]),
    nodes: {
      draft: {
        kind: "model",
        instructions: "Block the card.",
        input: (s) => s.request,
        tools: ["block_card"],
      },
      check: { kind: "precondition", guards: "block", check: () => pass() },
      gate: { kind: "gate", guards: "block" },
      approve: { kind: "approval", guards: "block" },
      block: { kind: "action", tool: "block_card" },
      report: { kind: "model", instructions: "Report what was done." },
    },
    edges: [
      [START, "draft"],
      ["draft", "check"],
      ["check", "gate", "pass"],
      ["check", END, "fail"],
      ["gate", "block", "allow"],
      ["gate", "approve", "approval"],
      ["gate", END, "deny"],
      ["approve", "block", "approved"],
      ["approve", END, "rejected"],
      ["block", "report"],
      ["report", END],
    ],
  });
  return { workflow, model, received, prompts };
}

describe("masking across turns", () => {
  it("the later turn sees the earlier tool call and its result masked, while the tool got the real values", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "governor-privacy-turns-"));
    dirs.push(dir);
    const runtime = new GovernorRuntime({ dir });
    const fixture = desk();
    try {
      const outcome = await runtime.start(
        fixture.workflow,
        { request: `Block my card ${CARD}; confirm to ${EMAIL}, or call ${PHONE}.` },
        { model: fixture.model },
      );
      expect(outcome.status).toBe("completed");
    } finally {
      runtime.close();
    }

    // The handler acted on the real values: the placeholders were unmasked for it.
    expect(fixture.received).toEqual([{ email: EMAIL, card: CARD }]);
    expect(fixture.prompts).toHaveLength(2);
    const later = fixture.prompts[1] ?? "";
    // The later prompt really carries the earlier call and its result (else this proves nothing)…
    expect(later).toContain("block_card");
    expect(later).toContain("confirmationSentTo");
    expect(later).toMatch(/"email":"\[EMAIL_[0-9a-f]{6}\]"/);
    // …and no raw value anywhere in it: content, tool_calls, additional_kwargs, tool results.
    for (const prompt of fixture.prompts) {
      for (const raw of RAW) expect(prompt).not.toContain(raw);
    }
  });
});
