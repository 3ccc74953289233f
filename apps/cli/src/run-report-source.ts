// Moved to @governor/core so the web console and the CLI read runs one way; kept here so the
// CLI's imports stay as they are.
export { budgetStateOf, findRun, modelRecordsOf, runSummaryOf } from "@governor/core";
