import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { measureInterleaved } from "../interleave.js";
import { scratchDir } from "../scratch-dir.js";
import { summarize, type TimingSummary } from "../stats.js";
import { fileJournals, memoryJournals } from "../variants/journals.js";
import type { AgentLoopConfig } from "./agent-loop-config.js";
import { barePaddedLoop } from "./bare-padded-loop.js";
import { bareReactAgent } from "./bare-react-agent.js";
import { checkLoopCount, checkLoopOnce } from "./check-loop.js";
import { governedAgentLoop } from "./governed-agent-loop.js";
import { CALLS_PER_RUN, LOOP_TURNS } from "./loop-script.js";
import type { LoopVariant } from "./loop-variant.js";

/** The target: a governed agent loop costs at most this many times the bare one. */
export const AGENT_LOOP_GOAL = 1.3;

export interface AgentLoopVariantResult {
  readonly name: string;
  /** Checkpoints one run writes (its graph steps, the input's included). */
  readonly steps: number;
  readonly summary: TimingSummary;
}

/** governed / baseline. */
export interface LoopRatio {
  readonly median: number;
  readonly p95: number;
  readonly cpuMedian: number;
  readonly cpuP95: number;
}

/** (governed − baseline) / calls per run, in microseconds. */
export interface PerCallOverhead {
  readonly wallMedianUs: number;
  readonly cpuMedianUs: number;
}

export interface AgentLoopResult {
  /** The governed loop's policy engine. */
  readonly policy: string;
  readonly turns: number;
  readonly callsPerRun: number;
  /**
   * bare createReactAgent, bare StateGraph padded to the governed step count, governed; with
   * `breakdown`, then the governed loop with :memory: journals and with the other policy engine.
   */
  readonly variants: readonly AgentLoopVariantResult[];
  readonly ratio: LoopRatio;
  readonly ratioToPadded: LoopRatio;
  /** Everything governance adds per call, over the bare ReAct agent. */
  readonly overheadPerCall: PerCallOverhead;
  /** What is left per call once LangGraph's cost of the extra steps is taken out. */
  readonly governorOwnPerCall: PerCallOverhead;
  /** Audit records one governed run appends (every decision and execution of its 20 calls). */
  readonly auditRecordsPerRun: number;
  readonly goal: number;
  readonly meetsGoal: boolean;
}

/**
 * Times the 10-turn, 2-calls-a-turn agent loop three ways in one process, interleaved: LangGraph's
 * prebuilt `createReactAgent` with `ToolNode`; a hand-written StateGraph with no-op nodes so it
 * takes as many steps as the governed loop; and Governor's `agent` node with the store's journals
 * on files. Each has its own SqliteSaver file. Every variant is checked to make all 20 calls on
 * one run before timing, and to have made all of them on every run after.
 *
 * @throws {Error} when a variant does not run the whole loop.
 */
export async function measureAgentLoop(config: AgentLoopConfig): Promise<AgentLoopResult> {
  const dir = scratchDir("agent-loop");
  const checkpoints = (name: string) => join(dir.path, `${name}-checkpoints.db`);
  const variants: LoopVariant[] = [];
  try {
    const bare = bareReactAgent({ checkpoints: checkpoints("bare") });
    variants.push(bare);
    const governed = governedAgentLoop({
      checkpoints: checkpoints("governed"),
      journals: fileJournals(dir.path),
      policy: config.policy,
    });
    variants.push(governed);
    const bareSteps = await checkLoopOnce(bare, "bare-check");
    const governedSteps = await checkLoopOnce(governed, "governed-check");
    // The governed loop's extra steps per turn, given to the padded bare graph as no-op nodes.
    const extraNodesPerTurn = Math.max(0, Math.round((governedSteps - bareSteps) / LOOP_TURNS));
    const padded = barePaddedLoop({ checkpoints: checkpoints("padded"), extraNodesPerTurn });
    variants.push(padded);
    const steps = new Map<string, number>([
      [bare.name, bareSteps],
      [governed.name, governedSteps],
      [padded.name, await checkLoopOnce(padded, "padded-check")],
    ]);
    // Where the governed loop's time goes: the same loop with journals off the disk, and with
    // the other policy engine. Each keeps a store of its own (its own audit chain).
    const extras = config.breakdown ? breakdownVariants(dir.path, checkpoints, config.policy) : [];
    for (const variant of extras) {
      variants.push(variant);
      steps.set(variant.name, await checkLoopOnce(variant, `${variant.name}-check`));
    }

    const tasks = variants.map((variant) => {
      let n = 0;
      return { name: variant.name, once: () => variant.run(`${variant.name}-${++n}`) };
    });
    const samples = await measureInterleaved(tasks, config);
    for (const variant of variants) checkLoopCount(variant, 1 + config.warmup + config.runs);

    const summary = (variant: LoopVariant): TimingSummary => {
      const { wall = [], cpu = [] } = samples.get(variant.name) ?? {};
      return summarize(wall, cpu);
    };
    const [b, g, p] = [summary(bare), summary(governed), summary(padded)];
    const ratio = ratioOf(g, b);
    return {
      policy: config.policy,
      turns: LOOP_TURNS,
      callsPerRun: CALLS_PER_RUN,
      variants: [bare, padded, governed, ...extras].map((variant) => ({
        name: variant.name,
        steps: steps.get(variant.name) ?? Number.NaN,
        summary: summary(variant),
      })),
      ratio,
      ratioToPadded: ratioOf(g, p),
      overheadPerCall: perCall(g, b),
      governorOwnPerCall: perCall(g, p),
      auditRecordsPerRun: governed.auditRecords?.("governed-check") ?? Number.NaN,
      goal: AGENT_LOOP_GOAL,
      meetsGoal: ratio.median <= AGENT_LOOP_GOAL,
    };
  } finally {
    for (const variant of variants) variant.close();
    dir.dispose();
  }
}

function breakdownVariants(
  dir: string,
  checkpoints: (name: string) => string,
  policy: AgentLoopConfig["policy"],
): LoopVariant[] {
  const own = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const other = policy === "cedar" ? "rules" : "cedar";
  return [
    governedAgentLoop({
      name: `governed (${policy}), :memory: journals`,
      checkpoints: checkpoints("governed-memory"),
      journals: memoryJournals(own("memory")),
      policy,
    }),
    governedAgentLoop({
      name: `governed (${other}), file journals`,
      checkpoints: checkpoints("governed-other"),
      journals: fileJournals(own("other")),
      policy: other,
    }),
  ];
}

function ratioOf(governed: TimingSummary, base: TimingSummary): LoopRatio {
  return {
    median: governed.medianMs / base.medianMs,
    p95: governed.p95Ms / base.p95Ms,
    cpuMedian: governed.cpuMedianMs / base.cpuMedianMs,
    cpuP95: governed.cpuP95Ms / base.cpuP95Ms,
  };
}

function perCall(governed: TimingSummary, base: TimingSummary): PerCallOverhead {
  return {
    wallMedianUs: ((governed.medianMs - base.medianMs) * 1000) / CALLS_PER_RUN,
    cpuMedianUs: ((governed.cpuMedianMs - base.cpuMedianMs) * 1000) / CALLS_PER_RUN,
  };
}
