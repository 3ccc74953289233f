import {
  defineWorkflow,
  END,
  type GovernorRuntime,
  type RunBudget,
  START,
  type Workflow,
} from "@governor/core";
import { defineIdentity } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { auditOf, type Harness, harness } from "./support/harness.js";

/**
 * Budgets count what a model call used. A model (or an endpoint in front of it) that reports
 * negative, NaN, string, fractional or implausibly small usage must not buy the run more calls
 * than its budget allows: the report is replaced by the estimate and the anomaly audited.
 * Every test counts the model calls actually made.
 */

const PARAGRAPH =
  "The customer writes about the order, the courier, the weather and the neighbour who signed. ".repeat(4);
const STEPS = 8;

/** Eight model steps in a row; each adds a paragraph, so every call costs more than the last. */
function chatter(budget: RunBudget): Workflow {
  const nodes = Object.fromEntries(
    Array.from({ length: STEPS }, (_, i) => [
      `step${i + 1}`,
      { kind: "model" as const, instructions: `Step ${i + 1}: answer.`, input: () => PARAGRAPH },
    ]),
  );
  const edges = Array.from({ length: STEPS }, (_, i) =>
    i === 0 ? ([START, "step1"] as const) : ([`step${i}`, `step${i + 1}`] as const),
  );
  return defineWorkflow({
    name: "chatter",
    state: z.object({ topic: z.string() }),
    agent: { id: "writer", scopes: [] },
    approvers: defineIdentity({
      roles: { writer: ["essays:write"], owner: ["budgets:extend"] },
      agents: { writer: { roles: ["writer"] } },
      approvers: { "finance:kim": { roles: ["owner"] } },
    }),
    tools: [],
    policy: new RulePolicyEngine([]),
    budget,
    nodes,
    edges: [...edges, [`step${STEPS}`, END]],
  });
}

/** A scripted model whose usage report is replaced by `usage`, counting its calls. */
class TamperingModel extends ScenarioChatModel {
  calls = 0;
  constructor(
    name: string,
    readonly usage: ((call: number) => Record<string, unknown>) | undefined,
  ) {
    super(defineScenario({ name, turns: [{ reply: { text: "A fine answer of moderate length." } }] }));
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.calls++;
    const result = await super._generate(messages, options);
    const message = result.generations[0]?.message as { usage_metadata?: unknown } | undefined;
    if (message && this.usage) message.usage_metadata = this.usage(this.calls);
    return result;
  }
}

let h: Harness;
let runtime: GovernorRuntime;
beforeEach(() => {
  h = harness({ prices: { "scenario:honest": PRICE, "scenario:tampering": PRICE } });
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const PRICE = { inputPerMTok: 1_000, outputPerMTok: 1_000 };

const tamperings: [string, (call: number) => Record<string, unknown>][] = [
  ["negative input tokens", () => ({ input_tokens: -100_000, output_tokens: 10, total_tokens: 0 })],
  ["NaN counts", () => ({ input_tokens: Number.NaN, output_tokens: Number.NaN, total_tokens: Number.NaN })],
  ["counts as strings", () => ({ input_tokens: "1", output_tokens: "1", total_tokens: "2" })],
  ["fractional counts", () => ({ input_tokens: 0.5, output_tokens: 0.25, total_tokens: 0.75 })],
  ["-Infinity", () => ({ input_tokens: Number.NEGATIVE_INFINITY, output_tokens: 1, total_tokens: 0 })],
  ["one token a call (an undercount)", () => ({ input_tokens: 1, output_tokens: 1, total_tokens: 2 })],
];

/** How many model calls a run makes before its budget stops it, and how it ends. */
async function callsWithin(budget: RunBudget, usage?: (call: number) => Record<string, unknown>) {
  const model = new TamperingModel(usage ? "tampering" : "honest", usage);
  const outcome = await runtime.start(chatter(budget), { topic: "refunds" }, { model });
  return { calls: model.calls, outcome };
}

describe("usage tampering", () => {
  for (const budget of [{ maxTokens: 1_200 }, { maxCostUsd: 1.2 }] satisfies RunBudget[]) {
    const limit = Object.keys(budget)[0];
    it(`UT-1 a model reporting nonsense usage makes no more calls than an honest one under ${limit}`, async () => {
      const honest = await callsWithin(budget);
      expect(honest.calls).toBeGreaterThan(0);
      expect(honest.calls).toBeLessThan(STEPS);
      expect(honest.outcome.status).toBe("waiting");
      expect(honest.outcome.budgetRequest?.exceeded).toEqual([limit]);

      for (const [what, usage] of tamperings) {
        const tampered = await callsWithin(budget, usage);
        expect({ what, calls: tampered.calls }).toEqual({ what, calls: honest.calls });
        expect(tampered.outcome.status).toBe("waiting");
        const anomalies = auditOf(runtime, tampered.outcome.threadId, "budget", "usage-anomaly");
        expect(anomalies).toHaveLength(tampered.calls);
        expect(anomalies[0]?.data).toMatchObject({ model: "scenario:tampering", reason: expect.any(String) });
        // What the run counted is what the tokenizer counts, never less than nothing.
        const counted = tampered.outcome.usage;
        expect(counted?.inputTokens).toBeGreaterThan(0);
        expect(Number.isInteger(counted?.inputTokens)).toBe(true);
        expect(counted?.costUsd).toBeGreaterThan(0);
      }
    });
  }

  it("UT-2 a sound report is trusted as it is, with no anomaly audited", async () => {
    const sound = await callsWithin({ maxTokens: 100_000 }, () => ({
      input_tokens: 150,
      output_tokens: 9,
      total_tokens: 159,
    }));
    expect(sound.calls).toBe(STEPS);
    expect(sound.outcome.status).toBe("completed");
    expect(sound.outcome.usage).toMatchObject({ inputTokens: 150 * STEPS, outputTokens: 9 * STEPS });
    expect(auditOf(runtime, sound.outcome.threadId, "budget", "usage-anomaly")).toEqual([]);
  });
});
