import { formatTable, ms, times } from "../table.js";
import type { AgentLoopResult, LoopRatio, PerCallOverhead } from "./measure-agent-loop.js";

/** The agent-loop table, ratios, per-call overhead and verdict, as `npm run bench` prints them. */
export function formatAgentLoop(result: AgentLoopResult): string {
  const base = result.variants[0]?.summary;
  const table = formatTable(
    [
      "variant",
      "steps",
      "runs",
      "median ms",
      "p95 ms",
      "× bare",
      "CPU median ms",
      "CPU p95 ms",
      "CPU × bare",
    ],
    result.variants.map(({ name, steps, summary }) => [
      name,
      String(steps),
      String(summary.runs),
      ms(summary.medianMs),
      ms(summary.p95Ms),
      times(summary.medianMs / (base?.medianMs ?? Number.NaN)),
      ms(summary.cpuMedianMs),
      ms(summary.cpuP95Ms),
      times(summary.cpuMedianMs / (base?.cpuMedianMs ?? Number.NaN)),
    ]),
  );
  const calls = `${result.turns} turns × ${result.callsPerRun / result.turns} calls`;
  return [
    `Agent loop: ${calls} + a final answer, one invoke() per new thread, SqliteSaver files for all`,
    table,
    ratioLine("governed / bare createReactAgent", result.ratio),
    ratioLine(sameStepsLabel(result), result.ratioToPadded),
    overheadLine(`per call, governed − bare (÷ ${result.callsPerRun})`, result.overheadPerCall),
    overheadLine("per call, governed − same-steps bare (Governor's own work)", result.governorOwnPerCall),
    `audit records per governed run: ${result.auditRecordsPerRun}`,
    verdict(result),
  ].join("\n\n");
}

/** The padded graph is meant to take the governed loop's steps; say so when it does not. */
function sameStepsLabel({ variants }: AgentLoopResult): string {
  const [, padded, governed] = variants;
  return padded?.steps === governed?.steps
    ? "governed / bare with the same steps"
    : `governed / padded bare (NOT the same steps: ${padded?.steps} vs ${governed?.steps})`;
}

function ratioLine(name: string, ratio: LoopRatio): string {
  return `${name}: wall median ${times(ratio.median)}, p95 ${times(ratio.p95)}; CPU median ${times(ratio.cpuMedian)}, p95 ${times(ratio.cpuP95)}`;
}

function overheadLine(name: string, overhead: PerCallOverhead): string {
  return `${name}: ${overhead.wallMedianUs.toFixed(0)} µs wall, ${overhead.cpuMedianUs.toFixed(0)} µs CPU`;
}

function verdict({ ratio, goal, meetsGoal }: AgentLoopResult): string {
  return meetsGoal
    ? `PASS: governed median is ${times(ratio.median)} bare, within the goal governed ≤ ${goal}× bare.`
    : `FAIL: governed median is ${times(ratio.median)} bare, above the goal governed ≤ ${goal}× bare.`;
}
