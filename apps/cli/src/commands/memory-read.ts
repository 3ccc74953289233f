import { GovernorError } from "@governor/core";
import { describeScope, type FactRecord } from "@governor/memory";
import { memoryOf, openExistingRuntime } from "../open-runtime.js";
import { paint, type Terminal } from "../terminal.js";
import { formatFact, formatHistoryRecord } from "./memory-format.js";
import { operatorPrincipal, type ScopeOptions, scopeFrom } from "./memory-scope.js";

export interface MemoryReadOptions extends ScopeOptions {
  readonly dir?: string;
  readonly json?: boolean;
}

/**
 * `governor memory list --tenant T`: the facts true now in a partition, one per key. With
 * `--all`, every record of the partition (superseded and retracted ones too), each with its
 * status, grouped by key.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID for a missing or malformed scope.
 */
export async function memoryListCommand(
  terminal: Terminal,
  options: MemoryReadOptions & { all?: boolean },
): Promise<void> {
  const scope = scopeFrom(options);
  const runtime = await openExistingRuntime(options.dir);
  try {
    const principal = operatorPrincipal();
    const facts = options.all
      ? byKey(memoryOf(runtime).history(principal, scope))
      : memoryOf(runtime).current(principal, scope);
    if (options.json) {
      terminal.out(JSON.stringify(facts, null, 2));
      return;
    }
    const what = options.all ? "record(s), current and past" : "current fact(s)";
    terminal.out(paint(terminal, "bold", `Memory · ${describeScope(scope)} · ${facts.length} ${what}`));
    if (!facts.length) terminal.out("  nothing is recorded here");
    for (const fact of facts) terminal.out(formatFact(terminal, fact, options.all).join("\n"));
  } finally {
    await runtime.close();
  }
}

/**
 * `governor memory history --tenant T [--entity E] [--attribute A]`: every record in the
 * order it was written, with both clocks and what superseded it: how the current truth came
 * to be.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID for a missing or malformed scope.
 */
export async function memoryHistoryCommand(
  terminal: Terminal,
  options: MemoryReadOptions & { entity?: string; attribute?: string },
): Promise<void> {
  const scope = scopeFrom(options);
  const runtime = await openExistingRuntime(options.dir);
  try {
    const records = memoryOf(runtime).history(operatorPrincipal(), scope, {
      entity: options.entity,
      attribute: options.attribute,
    });
    if (options.json) {
      terminal.out(JSON.stringify(records, null, 2));
      return;
    }
    const key = [options.entity, options.attribute].filter((part) => part !== undefined).join(" / ");
    terminal.out(
      paint(
        terminal,
        "bold",
        `Memory history · ${describeScope(scope)}${key ? ` · ${key}` : ""} · ${records.length} record(s)`,
      ),
    );
    if (!records.length) terminal.out("  nothing is recorded here");
    records.forEach((record, i) => {
      terminal.out(formatHistoryRecord(terminal, record, i + 1).join("\n"));
    });
  } finally {
    await runtime.close();
  }
}

/**
 * `governor memory as-of --tenant T --valid-at ISO --known-at ISO`: what was true in the
 * world at `--valid-at`, as Governor knew it at `--known-at` (either alone: the other follows
 * the store's rule, see MemoryStore.asOf).
 *
 * @throws {GovernorError} MEMORY_AS_OF_INVALID when neither time is given, or a time is
 *   malformed, in the future or before the partition's first record; MEMORY_FACT_INVALID
 *   for a missing or malformed scope.
 */
export async function memoryAsOfCommand(
  terminal: Terminal,
  options: MemoryReadOptions & { validAt?: string; knownAt?: string },
): Promise<void> {
  const scope = scopeFrom(options);
  if (options.validAt === undefined && options.knownAt === undefined) {
    throw new GovernorError(
      "MEMORY_AS_OF_INVALID",
      "as-of needs --valid-at ISO (what was true then), --known-at ISO (what was known then) or both; for now, use governor memory list",
    );
  }
  const runtime = await openExistingRuntime(options.dir);
  try {
    const facts = memoryOf(runtime).asOf(operatorPrincipal(), scope, {
      validAt: options.validAt,
      knownAt: options.knownAt,
    });
    if (options.json) {
      terminal.out(
        JSON.stringify(
          { scope, validAt: options.validAt ?? null, knownAt: options.knownAt ?? null, facts },
          null,
          2,
        ),
      );
      return;
    }
    terminal.out(paint(terminal, "bold", `Memory · ${describeScope(scope)} · ${facts.length} fact(s)`));
    terminal.out(`  true in the world at ${options.validAt ?? options.knownAt}`);
    terminal.out(`  as Governor knew it ${options.knownAt === undefined ? "now" : `at ${options.knownAt}`}`);
    if (!facts.length) terminal.out("  nothing was true then");
    for (const fact of facts) terminal.out(formatFact(terminal, fact).join("\n"));
  } finally {
    await runtime.close();
  }
}

/** Records grouped by key (keys in name order), each key's records in the order written. */
function byKey(records: readonly FactRecord[]): FactRecord[] {
  return [...records].sort((a, b) =>
    a.entity === b.entity ? a.attribute.localeCompare(b.attribute) : a.entity.localeCompare(b.entity),
  );
}
