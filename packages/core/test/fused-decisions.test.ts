import { randomBytes } from "node:crypto";
import {
  type CompileOptions,
  compile,
  GovernorError,
  type KillRecord,
  SqliteEffectJournal,
  type Workflow,
} from "@governor/core";
import { hs256Keys } from "@governor/identity";
import { SqliteAuditJournal } from "@governor/observability";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { billingDesk, deskModel, type Effects, newEffects } from "./support/billing-desk.js";

// The billing desk's route → precondition → gate run as one superstep when fused. These
// tests hold the fused graph to what the unfused one does: same decisions, same records,
// same stops at the same stage, same drawing; only the number of LangGraph steps differs.

const request = { request: "Charge acct-1 $5 for the late fee" };

/** A kill switch a test flips from inside a node, as another process would between two stages. */
function killSwitch() {
  let engaged: KillRecord | undefined;
  return {
    active: () => engaged,
    engage: () => {
      engaged = { scope: "global", reason: "flipped mid-run", at: new Date(0).toISOString() };
    },
  };
}

function compiled(
  workflow: Workflow,
  effects: Effects,
  fuseDecisions: boolean,
  extra: Partial<CompileOptions> = {},
) {
  const audit = new SqliteAuditJournal(":memory:");
  const graph = compile(workflow, {
    model: deskModel("desk", effects),
    audit,
    effects: new SqliteEffectJournal(":memory:"),
    checkpointer: new MemorySaver(),
    tokenKeys: hs256Keys(randomBytes(32)),
    fuseDecisions,
    ...extra,
  });
  return { graph, audit };
}

/** Runs once, streaming updates: the nodes LangGraph ran as steps, the final state and the audit trail. */
async function run(fuseDecisions: boolean, options: { budget?: { maxSteps: number } } = {}) {
  const effects = newEffects();
  const workflow = billingDesk({ effects, budget: options.budget });
  const { graph, audit } = compiled(workflow, effects, fuseDecisions);
  const config = { configurable: { thread_id: "t1" } };
  const steps: string[] = [];
  let error: unknown;
  try {
    for await (const chunk of await graph.stream(request, { ...config, streamMode: "updates" })) {
      steps.push(...Object.keys(chunk as Record<string, unknown>));
    }
  } catch (caught) {
    error = caught;
  }
  const state = (await graph.getState(config)).values as {
    governor: { routes: unknown; usage: { steps: number } };
  };
  const records = audit.list("t1").map((record) => `${record.kind}:${record.node ?? ""}:${record.outcome}`);
  return { steps, state, records, effects, error };
}

describe("fused decision nodes", () => {
  it("run route, precondition and gate in one step, with every stage's route, record and step counted", async () => {
    const fused = await run(true);
    const separate = await run(false);
    expect(separate.steps).toEqual(["prepare", "propose", "has_call", "check", "gate", "charge", "respond"]);
    // The model's step decides its reply too: as many LangGraph steps as the business nodes.
    expect(fused.steps).toEqual(["prepare", "propose", "charge", "respond"]);
    expect(fused.state.governor.routes).toEqual(separate.state.governor.routes);
    expect(fused.state.governor.routes).toMatchObject({ has_call: "charge", check: "pass", gate: "allow" });
    expect(fused.records).toEqual(separate.records);
    expect(fused.records).toEqual(expect.arrayContaining(["precondition:check:pass", "policy:gate:allow"]));
    // Each stage is a step for the step budget, fused or not.
    expect(fused.state.governor.usage.steps).toBe(7);
    expect(separate.state.governor.usage.steps).toBe(7);
    expect(fused.effects.charges).toHaveLength(1);
  });

  it("check the kill switch before every stage: flipped inside the route's step, the precondition never runs", async () => {
    // The route node decides, then the switch flips: the precondition stage must not run.
    const flipInRoute = async (fuse: boolean) => {
      const effects = newEffects();
      const kill = killSwitch();
      const workflow = billingDesk({ effects });
      const route = workflow.nodes.has_call as { decide: (...args: unknown[]) => string };
      const decide = route.decide;
      route.decide = (...args) => {
        kill.engage();
        return decide(...args);
      };
      const { graph, audit } = compiled(workflow, effects, fuse, { killSwitch: kill });
      const config = { configurable: { thread_id: "t1" } };
      const error = await graph.invoke(request, config).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      const { values } = await graph.getState(config);
      return {
        error,
        effects,
        records: audit.list("t1").map((r) => `${r.kind}:${r.node ?? ""}:${r.outcome}`),
        // What the checkpoint kept: the model's reply and the usage it counted.
        kept: {
          messages: values.messages.length,
          usage: values.governor.usage,
          routes: values.governor.routes,
        },
      };
    };
    const fused = await flipInRoute(true);
    const separate = await flipInRoute(false);
    for (const outcome of [fused, separate]) {
      expect(outcome.error).toBeInstanceOf(GovernorError);
      expect((outcome.error as GovernorError).code).toBe("KILLED");
      expect((outcome.error as GovernorError).message).toContain("before check");
      expect(outcome.effects.charges).toEqual([]);
      expect(outcome.records).toContain("kill:check:stopped");
      expect(outcome.records.some((record) => record.startsWith("policy:"))).toBe(false);
    }
    expect(fused.records).toEqual(separate.records);
    // The stages before the stop are kept as if they had their own steps: the reply is not lost.
    expect(fused.kept.messages).toBeGreaterThan(1);
    const timeless = (kept: typeof fused.kept) => ({
      ...kept,
      usage: { ...kept.usage, activeMs: 0, startedAt: 0 },
    });
    expect(timeless(fused.kept)).toEqual(timeless(separate.kept));
  });

  it("stop at the same stage when the step budget runs out inside the fused step", async () => {
    const fused = await run(true, { budget: { maxSteps: 4 } });
    const separate = await run(false, { budget: { maxSteps: 4 } });
    for (const outcome of [fused, separate]) {
      expect((outcome.error as GovernorError).code).toBe("BUDGET_EXCEEDED");
      expect((outcome.error as GovernorError).message).toContain("before gate");
      expect(outcome.effects.charges).toEqual([]);
    }
    expect(fused.records).toEqual(separate.records);
  });

  it("leave the drawn graph as it was: every stage and outcome edge is still there", async () => {
    const effects = newEffects();
    const draw = async (fuse: boolean) =>
      (await compiled(billingDesk({ effects }), effects, fuse).graph.getGraphAsync()).drawMermaid();
    const drawn = await draw(true);
    // One edge is drawn dashed: the model step goes on with a Command of its own.
    expect(drawn).toContain("propose -.-> has_call");
    const lines = (mermaid: string) =>
      mermaid
        .split("\n")
        .map((line) => line.trim().replace(/;$/, ""))
        .sort();
    expect(lines(drawn.replace("propose -.-> has_call", "propose --> has_call"))).toEqual(
      lines(await draw(false)),
    );
    expect(drawn).toContain("check -. &nbsp;pass&nbsp; .-> gate");
    expect(drawn).toContain("gate -. &nbsp;approval&nbsp; .-> approve");
  });
});
