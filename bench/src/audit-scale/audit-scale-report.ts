import type { FigureRow } from "../figures/figure-row.js";
import { skipped } from "../figures/figure-rows.js";
import { AUDIT_VERIFY_GOAL_CPU_S, AUDIT_VERIFY_GOAL_RECORDS } from "./audit-scale-config.js";
import type { AuditScaleResult } from "./measure-audit-scale.js";
import type { StageCost } from "./verify-stages.js";

const ms = (value: number) => `${value.toFixed(0)} ms`;
const s = (value: number) => `${value.toFixed(2)} s`;

/** The suite's own table: the verify processes, verify's stages, and the cuts it named. */
export function formatAuditScale(result: AuditScaleResult): string {
  const { large, small, stages, seed } = result;
  const stage = (name: string, cost: StageCost) =>
    `  ${name.padEnd(44)} ${ms(cost.cpuMs).padStart(9)} CPU ${ms(cost.wallMs).padStart(9)} wall  ${((1e3 * cost.cpuMs) / large.records).toFixed(1).padStart(5)} µs/record`;
  return [
    `audit journal at scale: ${large.records.toLocaleString("en")} records (seeded in ${s(seed.wallS)} wall, ${s(seed.cpuS)} CPU, untimed)`,
    "",
    `governor audit verify (whole process, median of ${large.runs})     CPU        wall       peak RSS`,
    `  ${`${large.records.toLocaleString("en")} records`.padEnd(44)} ${s(large.cpuMedianS).padStart(9)} ${s(large.wallMedianS).padStart(9)} ${large.maxRssMedianMb.toFixed(0).padStart(7)} MB`,
    `  ${`${small.records} records (the process's fixed cost)`.padEnd(44)} ${s(small.cpuMedianS).padStart(9)} ${s(small.wallMedianS).padStart(9)} ${small.maxRssMedianMb.toFixed(0).padStart(7)} MB`,
    "",
    "verify() in this process, and each stage alone over every record:",
    stage("verify() (everything below, links and head)", stages.verify),
    stage("read rows (SQLite, streamed)", stages.read),
    stage("JSON.parse of the data", stages.parse),
    stage("canonical JSON + SHA-256 (storedRecordHash)", stages.hash),
    stage("HMAC-SHA256 seal check", stages.seal),
    "",
    "the end of the journal cut in the database file (head kept apart):",
    ...result.tailCuts.map((cut) => `  ${cut.detected ? "✓" : "✗"} ${cut.name}: ${cut.verdict.trim()}`),
  ].join("\n");
}

/** The table's `audit-verify` row: the whole `governor audit verify` process at scale, against the same on a tiny store. */
export function auditVerifyRow(result: AuditScaleResult | undefined, records: number): FigureRow {
  const figure = `governor audit verify, ${records.toLocaleString("en")} records`;
  if (!result) return skipped("audit-verify", figure, "skipped (BENCH_AUDIT_RUNS=0)");
  const { large, small } = result;
  const cuts = result.tailCuts.filter((cut) => cut.detected).length;
  return {
    id: "audit-verify",
    figure,
    unit: "s",
    wall: large.wallMedianS,
    cpu: large.cpuMedianS,
    baseline: {
      label: `the same on ${small.records} records`,
      wall: small.wallMedianS,
      cpu: small.cpuMedianS,
    },
    ratio: { wall: large.wallMedianS / small.wallMedianS, cpu: large.cpuMedianS / small.cpuMedianS },
    goal: {
      text: `CPU ≤ ${AUDIT_VERIFY_GOAL_CPU_S} s at ${AUDIT_VERIFY_GOAL_RECORDS.toLocaleString("en")}`,
      ...(result.meetsGoal === undefined ? {} : { pass: result.meetsGoal }),
    },
    headline: "cpu",
    note: `child CPU and wall, median of ${large.runs}; verify() alone ${(result.stages.verify.cpuMs / 1000).toFixed(2)} s CPU; ${cuts} of ${result.tailCuts.length} tail cuts named (last record, last 1,000, file rolled back)`,
  };
}
