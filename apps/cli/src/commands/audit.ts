import { AUDIT_GUARANTEE } from "@governor/observability";
import { openExistingRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";

/**
 * `governor audit verify`: walks the chain, checks every record's seal and the signed head,
 * and prints what the check proves (the guarantee) and the first record that does not hold.
 * Returns whether the chain holds. Reads the records one at a time, so a journal of any length
 * verifies in constant memory (100,000 records: about two seconds of CPU, see bench/src/audit-scale).
 *
 * @throws {GovernorError} STORE_NOT_FOUND when there is no store to verify: a mistyped --dir
 *   must not pass as an empty, intact journal.
 */
export async function auditVerifyCommand(terminal: Terminal, options: { dir?: string }): Promise<boolean> {
  const runtime = await openExistingRuntime(options.dir);
  try {
    const audit = runtime.store.audit;
    const result = await audit.verify();
    if (result.ok) {
      const unanchored =
        result.anchored < result.records
          ? `; records ${result.anchored + 1}–${result.records} sealed, not yet anchored`
          : "";
      terminal.out(
        paint(
          terminal,
          "green",
          `✓ audit chain intact: ${result.records} records, head ${result.head.slice(0, 16)}…`,
        ),
      );
      terminal.out(
        `  level: every record sealed (HMAC-SHA256, audit key ${result.keyId}); ${result.anchored} anchored by the signed head at ${audit.headLocation ?? "the store"}${unanchored}`,
      );
    } else {
      terminal.err(
        paint(terminal, "red", `✗ audit chain broken at record ${result.brokenAt}: ${result.reason}`),
      );
      terminal.err(
        `  problem: ${result.problem}; ${result.records} records read; head kept at ${audit.headLocation ?? "the store"}`,
      );
    }
    terminal.out("What this check proves:");
    for (const line of AUDIT_GUARANTEE) terminal.out(`  - ${line}`);
    return result.ok;
  } finally {
    await runtime.close();
  }
}

/**
 * `governor audit show THREAD`: a run's decisions in order.
 *
 * @throws {GovernorError} STORE_NOT_FOUND when there is no store; RUN_NOT_FOUND for an unknown thread.
 */
export async function auditShowCommand(
  terminal: Terminal,
  threadId: string,
  options: { dir?: string; json?: boolean },
): Promise<void> {
  const runtime = await openExistingRuntime(options.dir);
  try {
    await runtime.getRun(threadId);
    const records = await runtime.store.audit.list(threadId);
    if (options.json) {
      terminal.out(JSON.stringify(records, null, 2));
      return;
    }
    for (const record of records) {
      const where = [record.node, record.tool].filter(Boolean).join(" · ");
      terminal.out(
        `#${String(record.seq).padStart(5)} ${record.at}  ${record.kind.padEnd(12)} ${record.outcome.padEnd(16)} ${where}`,
      );
      const reasons = record.data.reasons as string[] | undefined;
      if (reasons?.length) terminal.out(`${" ".repeat(38)}${reasons.join("; ")}`);
      const decided = decisionLine(record.data);
      if (decided) terminal.out(`${" ".repeat(38)}${decided}`);
    }
  } finally {
    await runtime.close();
  }
}

/**
 * Who decided and why, for a decision record (an approval, a budget answer, a kill switch, a
 * reconcile): a journal read for accountability must name the person, not only the outcome.
 */
function decisionLine(data: Readonly<Record<string, unknown>>): string | undefined {
  const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
  const who = text(data.approver) ?? text(data.by);
  if (!who) return undefined;
  // A refusal keeps the approver's own words apart from why it was refused.
  const theirs = data.via ? text(data.approverReason) : text(data.reason);
  const refused = data.via ? text(data.reason) : undefined;
  return [`by ${who}`, theirs && `reason: ${theirs}`, refused && `refused: ${refused}`]
    .filter(Boolean)
    .join(" · ");
}
