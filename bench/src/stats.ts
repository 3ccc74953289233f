/** The summary of one variant's per-invoke times, in milliseconds. */
export interface TimingSummary {
  readonly runs: number;
  readonly medianMs: number;
  readonly p95Ms: number;
  readonly meanMs: number;
  readonly minMs: number;
  /** This process's CPU time per invoke (user + system), median, p95 and mean; NaN when not measured. */
  readonly cpuMedianMs: number;
  readonly cpuP95Ms: number;
  readonly cpuMeanMs: number;
}

/** Linear-interpolated quantile (q in [0, 1]) of already sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

export function summarize(samples: readonly number[], cpuSamples: readonly number[] = []): TimingSummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const cpu = [...cpuSamples].sort((a, b) => a - b);
  return {
    cpuMedianMs: quantile(cpu, 0.5),
    cpuP95Ms: quantile(cpu, 0.95),
    cpuMeanMs: cpu.reduce((sum, value) => sum + value, 0) / (cpu.length || Number.NaN),
    runs: sorted.length,
    medianMs: quantile(sorted, 0.5),
    p95Ms: quantile(sorted, 0.95),
    meanMs: sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1),
    minMs: sorted[0] ?? Number.NaN,
  };
}
