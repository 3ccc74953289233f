import type { BenchConfig } from "./bench-config.js";
import { measureInterleaved } from "./interleave.js";
import { summarize, type TimingSummary } from "./stats.js";
import { checkRefundCount, checkRefundOnce } from "./variants/check-refund.js";
import type { RefundVariant } from "./variants/refund-variant.js";

/**
 * Checks each variant once, times them interleaved, then checks every run refunded.
 * Each `invoke()` gets a thread id of its own, so no run reads another's checkpoint.
 */
export async function timeVariants(
  variants: readonly RefundVariant[],
  config: Pick<BenchConfig, "warmup" | "runs" | "batches">,
): Promise<Map<string, TimingSummary>> {
  for (const variant of variants) await checkRefundOnce(variant, `${variant.name}-check`);

  const tasks = variants.map((variant) => {
    let n = 0;
    return { name: variant.name, once: () => variant.run(`${variant.name}-${++n}`) };
  });
  const samples = await measureInterleaved(tasks, config);

  for (const variant of variants) checkRefundCount(variant, 1 + config.warmup + config.runs);
  return new Map(
    variants.map((variant) => {
      const { wall = [], cpu = [] } = samples.get(variant.name) ?? {};
      return [variant.name, summarize(wall, cpu)];
    }),
  );
}
