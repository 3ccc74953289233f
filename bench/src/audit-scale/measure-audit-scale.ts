import { cpSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { scratchDir } from "../scratch-dir.js";
import { quantile } from "../stats.js";
import {
  AUDIT_VERIFY_GOAL_CPU_S,
  AUDIT_VERIFY_GOAL_RECORDS,
  type AuditScaleConfig,
} from "./audit-scale-config.js";
import { seedAuditStore } from "./seed-audit-store.js";
import { type TailCut, tailCuts } from "./tail-cuts.js";
import { type VerifyProcess, verifyProcess } from "./verify-process.js";
import { type VerifyStages, verifyStages } from "./verify-stages.js";

/** Medians over the `governor audit verify` processes of one store. */
export interface VerifyCost {
  readonly records: number;
  readonly runs: number;
  readonly cpuMedianS: number;
  readonly wallMedianS: number;
  readonly maxRssMedianMb: number;
}

export interface AuditScaleResult {
  readonly config: AuditScaleConfig;
  /** Building the journal (untimed by the figure): real template runs, then appends through the store's journal. */
  readonly seed: { readonly records: number; readonly wallS: number; readonly cpuS: number };
  /** `governor audit verify` on the full journal. */
  readonly large: VerifyCost;
  /** The same command on a store holding only the template runs' records: the process's fixed cost. */
  readonly small: VerifyCost;
  /** verify() in this process, and its stages each timed alone. */
  readonly stages: VerifyStages;
  /** The end of the journal cut three ways: each must be named by verify. */
  readonly tailCuts: readonly TailCut[];
  /** Judged only at AUDIT_VERIFY_GOAL_RECORDS or more (fewer can fail it, not pass it). */
  readonly meetsGoal: boolean | undefined;
}

/**
 * `governor audit verify` on a journal of `config.records` records (built by
 * `seedAuditStore`: real refund runs copied through the store's own journal), against the
 * same command on a store of a few dozen records; where verify's time goes; and whether
 * three ways of cutting the journal's end are detected at that scale.
 *
 * @throws {Error} when a verify fails on the intact journal, or misses a cut.
 */
export async function measureAuditScale(config: AuditScaleConfig): Promise<AuditScaleResult> {
  const dir = scratchDir("audit-scale");
  try {
    const large = join(dir.path, "large");
    const small = join(dir.path, "small");
    const older = join(dir.path, "older");
    const cpu = process.cpuUsage();
    const start = performance.now();
    const olderRecords = Math.floor(config.records / 2);
    await seedAuditStore(large, olderRecords);
    cpSync(large, older, { recursive: true });
    const records = await seedAuditStore(large, config.records);
    const seeded = process.cpuUsage(cpu);
    const seed = {
      records,
      wallS: (performance.now() - start) / 1000,
      cpuS: (seeded.user + seeded.system) / 1e6,
    };
    const smallRecords = await seedAuditStore(small, 0);

    // One untimed pair warms the file cache; then the two stores alternate.
    const samples = { large: [] as VerifyProcess[], small: [] as VerifyProcess[] };
    for (let i = 0; i <= config.runs; i++) {
      const order = i % 2 === 0 ? (["large", "small"] as const) : (["small", "large"] as const);
      for (const kind of order) {
        const expected = kind === "large" ? records : smallRecords;
        const verified = verifyProcess(kind === "large" ? large : small);
        if (verified.code !== 0 || !verified.stdout.includes(`audit chain intact: ${expected} records`))
          throw new Error(
            `audit scale: verify of the intact ${kind} journal exited ${verified.code}:\n${verified.stdout}${verified.stderr}`,
          );
        if (!verified.stdout.includes(`; ${expected} anchored by the signed head`))
          throw new Error(`audit scale: the ${kind} journal is not wholly anchored:\n${verified.stdout}`);
        if (i > 0) samples[kind].push(verified);
      }
    }
    const largeCost = summarize(records, samples.large);
    return {
      config,
      seed,
      large: largeCost,
      small: summarize(smallRecords, samples.small),
      stages: verifyStages(large),
      tailCuts: tailCuts(large, records, older, olderRecords),
      meetsGoal:
        largeCost.cpuMedianS > AUDIT_VERIFY_GOAL_CPU_S
          ? false
          : records >= AUDIT_VERIFY_GOAL_RECORDS
            ? true
            : undefined,
    };
  } finally {
    dir.dispose();
  }
}

function summarize(records: number, samples: readonly VerifyProcess[]): VerifyCost {
  const median = (pick: (s: VerifyProcess) => number) =>
    quantile(
      samples.map(pick).sort((a, b) => a - b),
      0.5,
    );
  return {
    records,
    runs: samples.length,
    cpuMedianS: median((s) => s.cpuS),
    wallMedianS: median((s) => s.wallS),
    maxRssMedianMb: median((s) => s.maxRssMb),
  };
}
