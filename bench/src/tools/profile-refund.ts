/**
 * Runs one refund variant many times, for a CPU profile of just that path:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/dist/tools/profile-refund.js runtime 500
 *
 * VARIANT is runtime (GovernorRuntime.start), compile (compile().invoke on file journals) or
 * bare (plain LangGraph); each run is on a new thread, after 20 untimed runs, as in the
 * table. Profile the governed and the bare variant with the same count and compare their
 * summaries (profile-summary.js): the difference is what governance costs, by package.
 */
// First: a V8 flag that must be set before any code is optimized (see v8-workaround.ts).
import "../v8-workaround.js";
import { join } from "node:path";
import { scratchDir } from "../scratch-dir.js";
import { bareRefund } from "../variants/bare-refund.js";
import { checkRefundCount } from "../variants/check-refund.js";
import { governedRefund } from "../variants/governed-refund.js";
import { fileJournals } from "../variants/journals.js";
import type { RefundVariant } from "../variants/refund-variant.js";
import { runtimeRefund } from "../variants/runtime-refund.js";

const [kind = "runtime", countArg = "500"] = process.argv.slice(2);
const runs = Number(countArg);
const dir = scratchDir("profile");
const makers: Readonly<Record<string, () => RefundVariant>> = {
  runtime: () => runtimeRefund({ dir: join(dir.path, "store") }),
  compile: () =>
    governedRefund({ checkpoints: join(dir.path, "compile.db"), journals: fileJournals(dir.path) }),
  bare: () => bareRefund({ checkpoints: join(dir.path, "bare.db") }),
};
const make = makers[kind];
if (!make || !Number.isInteger(runs) || runs < 1) {
  console.error("usage: node [--cpu-prof] bench/dist/tools/profile-refund.js runtime|compile|bare [RUNS]");
  process.exitCode = 2;
} else {
  const variant = make();
  try {
    const warmup = 20;
    for (let i = 0; i < warmup + runs; i++) await variant.run(`profile-${i}`);
    checkRefundCount(variant, warmup + runs);
    const cpu = process.cpuUsage();
    console.log(
      `${kind}: ${runs} runs after ${warmup} warm-up; process CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms in all`,
    );
  } finally {
    variant.close();
    dir.dispose();
  }
}
