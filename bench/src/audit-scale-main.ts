/**
 * The audit journal at scale alone: `npm run bench -- audit-scale` (or
 * `node bench/dist/audit-scale-main.js` after `npx tsc -b`). BENCH_AUDIT_RECORDS (100,000)
 * records, BENCH_AUDIT_RUNS (3) verify processes of each kind; results go to
 * bench/results/audit-scale.json.
 */
import "./v8-workaround.js";
import { auditScaleConfig } from "./audit-scale/audit-scale-config.js";
import { auditVerifyRow, formatAuditScale } from "./audit-scale/audit-scale-report.js";
import { measureAuditScale } from "./audit-scale/measure-audit-scale.js";
import { formatFigures } from "./figures/figures-table.js";
import { writeResults } from "./write-results.js";

const config = auditScaleConfig();
console.log(
  `audit scale: seeding ${config.records.toLocaleString("en")} records, then ${config.runs} verify processes of each kind\n`,
);
const auditScale = await measureAuditScale({ ...config, runs: Math.max(config.runs, 1) });
console.log(formatAuditScale(auditScale));
const figures = [auditVerifyRow(auditScale, config.records)];
console.log(`\n${formatFigures(figures)}`);
console.log(
  `\nresults: ${writeResults({ auditScale: config }, { auditScale, figures }, "audit-scale.json")}`,
);
