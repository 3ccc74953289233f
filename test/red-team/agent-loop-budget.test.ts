import type { GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentDesk, deskModel, read } from "./support/agent-desk.js";
import { auditOf, type Harness, harness, rejection } from "./support/harness.js";

/**
 * The run's budgets bound an agent loop as well as its turn count: a runaway model inside a
 * generous maxTurns is stopped by the token budget before the call that would overrun it,
 * and an unsigned grant from anyone buys it nothing. Model calls and reads are counted.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const runaway = () => deskModel((turn) => ({ text: "More.", toolCalls: [read(`R-${turn}`)] }));

describe("agent loop: the run's budgets", () => {
  it("BG-1 a token budget stops a runaway loop before the overrunning turn; an unsigned grant is refused and the model is not called again", async () => {
    // Measure what the first turn costs on a run of its own.
    const probe = agentDesk({ maxTurns: 1, limitEdge: true });
    const measured = await runtime.start(
      probe.workflow,
      { request: "read everything" },
      { model: runaway().model },
    );
    const first = auditOf(runtime, measured.threadId, "model")[0]?.data.usage as {
      inputTokens: number;
      outputTokens: number;
    };
    const maxTokens = Math.floor((first.inputTokens + first.outputTokens) * 2.5);

    const desk = agentDesk({ maxTurns: 50 });
    const model = runaway();
    const waiting = await runtime.start(
      desk.workflow,
      { request: "read everything" },
      {
        model: model.model,
        budget: { maxTokens },
      },
    );

    expect(waiting.status).toBe("waiting");
    expect(waiting.budgetRequest).toMatchObject({ node: "desk", exceeded: ["maxTokens"] });
    const calls = model.calls.length;
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThan(50);
    expect(desk.effects.reads).toHaveLength(calls);
    const used = (waiting.usage?.inputTokens ?? 0) + (waiting.usage?.outputTokens ?? 0);
    expect(used).toBeLessThanOrEqual(maxTokens);

    const grant = { decision: "extend", approver: "anyone-at-all", extra: { tokens: 1_000_000 } };
    const error = await rejection(
      runtime.resume(desk.workflow, waiting.threadId, grant, { model: model.model }),
    );

    expect(error.code).toBe("RESUME_INVALID");
    expect(model.calls).toHaveLength(calls);
    expect(desk.effects.reads).toHaveLength(calls);
    expect(auditOf(runtime, waiting.threadId, "budget", "extended")).toEqual([]);
    expect((await runtime.getRun(waiting.threadId)).status).toBe("waiting");
  });
});
