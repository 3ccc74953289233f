import { openRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";

/** `governor audit verify`: walks the hash chain; returns whether it holds. */
export function auditVerifyCommand(terminal: Terminal, options: { dir?: string }): boolean {
  const runtime = openRuntime(options.dir);
  try {
    const result = runtime.store.audit.verify();
    if (result.ok) {
      terminal.out(
        paint(
          terminal,
          "green",
          `✓ audit chain intact: ${result.records} records, head ${result.head.slice(0, 16)}…`,
        ),
      );
      return true;
    }
    terminal.err(
      paint(terminal, "red", `✗ audit chain broken at record ${result.brokenAt}: ${result.reason}`),
    );
    return false;
  } finally {
    runtime.close();
  }
}

/** `governor audit show THREAD`: a run's decisions in order. */
export function auditShowCommand(
  terminal: Terminal,
  threadId: string,
  options: { dir?: string; json?: boolean },
): void {
  const runtime = openRuntime(options.dir);
  try {
    runtime.getRun(threadId);
    const records = runtime.store.audit.list(threadId);
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
    }
  } finally {
    runtime.close();
  }
}
