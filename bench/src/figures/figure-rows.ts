import type { ColdStartResult } from "../cold-start/measure-cold-start.js";
import { COLD_START_GOAL_CPU_S } from "../cold-start/measure-cold-start.js";
import { DECISION_LOOKUP_GOAL, type DecisionLookupResult } from "../decision-lookup.js";
import type { GatewayLatency, LatencySummary } from "../gateway-latency.js";
import { GOVERNANCE_TAX_GOAL, type GovernanceTaxResult } from "../governance-tax.js";
import type { TimingSummary } from "../stats.js";
import { type FigureRow, ratioOf } from "./figure-row.js";

/** The goals of the gateway decision, in µs. */
export const GATEWAY_GOAL_P50_US = 100;
export const GATEWAY_GOAL_P99_US = 1000;

/** What one `npm run bench` measured for the table; a figure left out was skipped. */
export interface TableResults {
  readonly governanceTax?: GovernanceTaxResult;
  readonly gatewayLatency?: GatewayLatency;
  readonly coldStart?: ColdStartResult;
  readonly decisionLookup?: DecisionLookupResult;
  /** Rows measured elsewhere (the concurrency figures), already built. */
  readonly extraRows?: readonly FigureRow[];
}

/** A row for a figure this run did not measure, so the table always lists every figure. */
export function skipped(id: string, figure: string, why: string): FigureRow {
  return { id, figure, unit: "ms", wall: Number.NaN, headline: "wall", note: why };
}

const skipNote = (variable: string) => `skipped (${variable})`;

/** The figures, in the order, from what this run measured. */
export function figureRows(results: TableResults): FigureRow[] {
  return [
    ...taxRows(results.governanceTax),
    ...gatewayRows(results.gatewayLatency),
    coldStartRow(results.coldStart),
    lookupRow(results.decisionLookup),
    ...(results.extraRows ?? []),
  ];
}

function timed(summary: TimingSummary) {
  return { wall: summary.medianMs, cpu: summary.cpuMedianMs };
}

function taxRows(tax: GovernanceTaxResult | undefined): FigureRow[] {
  if (!tax)
    return [
      skipped("refund-runtime", "refund: GovernorRuntime.start vs bare LangGraph", skipNote("BENCH_TAX=0")),
      skipped("refund-compile", "refund: compile().invoke vs bare LangGraph", skipNote("BENCH_TAX=0")),
    ];
  const bare = { label: "bare", ...timed(tax.bare) };
  const row = (id: string, figure: string, summary: TimingSummary): FigureRow => {
    const { wall, cpu } = timed(summary);
    const ratio = ratioOf(wall, cpu, bare);
    return {
      id,
      figure,
      unit: "ms",
      wall,
      cpu,
      baseline: bare,
      ratio,
      goal: { text: `CPU ≤ ${GOVERNANCE_TAX_GOAL}×`, pass: (ratio.cpu ?? Number.NaN) <= GOVERNANCE_TAX_GOAL },
      headline: "ratio.cpu",
      note: `median of ${summary.runs} runs, interleaved with bare; same SqliteSaver setup`,
    };
  };
  return [
    row("refund-runtime", "refund: GovernorRuntime.start vs bare LangGraph", tax.runtime),
    row("refund-compile", "refund: compile().invoke vs bare LangGraph", tax.governed),
  ];
}

/**
 * The gateway rows: the decision over a repeated mix of requests (policy decisions served by
 * the engine's exact cache after warm-up) and over all-distinct ones (every call a Cedar
 * evaluation), each against the policy engine alone on the same mix.
 */
function gatewayRows(gateway: GatewayLatency | undefined): FigureRow[] {
  if (!gateway)
    return [
      skipped("gateway-p50", "gateway decision p50", skipNote("BENCH_GATEWAY_CALLS=0")),
      skipped("gateway-p99", "gateway decision p99", skipNote("BENCH_GATEWAY_CALLS=0")),
    ];
  const engine = `${gateway.policyEngine} alone`;
  const rows = (id: string, label: string, decision: LatencySummary, policy: LatencySummary): FigureRow[] => [
    {
      id: `${id}-p50`,
      figure: `gateway decision p50${label}`,
      unit: "µs",
      wall: decision.p50Us,
      cpu: decision.cpuMeanUs,
      baseline: { label: engine, wall: policy.p50Us, cpu: policy.cpuMeanUs },
      ratio: ratioOf(decision.p50Us, decision.cpuMeanUs, { wall: policy.p50Us, cpu: policy.cpuMeanUs }),
      goal: { text: `p50 ≤ ${GATEWAY_GOAL_P50_US} µs`, pass: decision.p50Us <= GATEWAY_GOAL_P50_US },
      headline: "wall",
      note: `${decision.calls} calls; identity + contract + policy + durable audit, against ${engine} on the same requests; CPU is the mean per call over the loop`,
    },
    {
      id: `${id}-p99`,
      figure: `gateway decision p99${label}`,
      unit: "µs",
      wall: decision.p99Us,
      baseline: { label: engine, wall: policy.p99Us },
      ratio: { wall: decision.p99Us / policy.p99Us },
      goal: { text: `p99 ≤ ${GATEWAY_GOAL_P99_US} µs`, pass: decision.p99Us <= GATEWAY_GOAL_P99_US },
      headline: "wall",
    },
  ];
  return [
    ...rows("gateway", ", repeated requests", gateway.decision, gateway.policyOnly),
    ...rows("gateway-distinct", ", all-distinct requests", gateway.decisionMiss, gateway.policyOnlyMiss),
  ];
}

function coldStartRow(cold: ColdStartResult | undefined): FigureRow {
  const figure = "cold start: governor run refund, whole process";
  if (!cold) return skipped("cold-start", figure, skipNote("BENCH_COLD_RUNS=0"));
  const { governor, bare } = cold;
  return {
    id: "cold-start",
    figure,
    unit: "s",
    wall: governor.wallMedianS,
    cpu: governor.cpuMedianS,
    baseline: { label: "bare LangGraph process", wall: bare.wallMedianS, cpu: bare.cpuMedianS },
    ratio: { wall: cold.ratio.wall, cpu: cold.ratio.cpu },
    goal: { text: `CPU ≤ ${COLD_START_GOAL_CPU_S} s`, pass: cold.meetsGoal },
    headline: "cpu",
    note: `median of ${governor.runs} processes each; peak RSS ${governor.maxRssMedianMb.toFixed(0)} MB vs ${bare.maxRssMedianMb.toFixed(0)} MB bare`,
  };
}

function lookupRow(lookup: DecisionLookupResult | undefined): FigureRow {
  const figure = "run in a thread with 10k audit records vs fresh thread";
  if (!lookup) return skipped("decision-lookup", figure, skipNote("BENCH_LOOKUP_RUNS=0"));
  const { heavy, fresh, config } = lookup;
  return {
    id: "decision-lookup",
    figure:
      config.records === 10_000
        ? figure
        : `run in a thread with ${config.records} audit records vs fresh thread`,
    unit: "ms",
    ...timed(heavy),
    baseline: { label: "fresh thread", ...timed(fresh) },
    ratio: { wall: lookup.ratio.median, cpu: lookup.ratio.cpuMedian },
    goal: { text: `CPU ≤ ${DECISION_LOOKUP_GOAL}× (constant)`, pass: lookup.meetsGoal },
    headline: "ratio.cpu",
    note: `median of ${heavy.runs} runs each through GovernorRuntime.start, same store`,
  };
}
