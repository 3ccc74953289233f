import { GovernorError } from "@governor/core";
import type { MemoryEvent } from "@governor/memory";
import { memoryOf, openExistingRuntime } from "../open-runtime.js";
import type { Terminal } from "../terminal.js";
import { formatEvent } from "./memory-format.js";
import { operatorPrincipal, type ScopeOptions, scopeFrom } from "./memory-scope.js";

export interface MemoryForgetOptions extends ScopeOptions {
  readonly dir?: string;
  readonly json?: boolean;
  readonly entity?: string;
  readonly attribute?: string;
  readonly reason?: string;
  readonly by?: string;
  readonly weight?: string;
  readonly validFrom?: string;
}

/**
 * The weight a retraction carries when `--weight` is not given: none. The CLI does not lend
 * the operator authority they did not state, so retracting a weighted fact without `--weight`
 * waits for a signed approval instead of going through on the operator's say-so.
 */
export const DEFAULT_FORGET_WEIGHT = 0;

/**
 * `governor memory forget --tenant T --entity E --attribute A --reason R --by NAME`: retracts
 * the key's current fact. Not a hard delete: the record stays, closed as `deleted` in both
 * clocks, and the retraction is one audited write like any other (a lower weight than the
 * fact's waits for approval, see `governor memory pending`).
 *
 * @returns the event, so the caller can exit non-zero when nothing was retracted.
 * @throws {GovernorError} MEMORY_FACT_INVALID for a missing flag, a malformed scope, key,
 *   weight or time (nothing is written).
 */
export async function memoryForgetCommand(
  terminal: Terminal,
  options: MemoryForgetOptions,
): Promise<MemoryEvent> {
  const scope = scopeFrom(options);
  const missing = (["entity", "attribute", "reason", "by"] as const).filter(
    (flag) => options[flag] === undefined,
  );
  if (missing.length) {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      `forget needs ${missing.map((flag) => `--${flag}`).join(", ")}: which key, why, and who retracts it; nothing was written`,
      { missing },
    );
  }
  const runtime = await openExistingRuntime(options.dir);
  try {
    const [event] = await memoryOf(runtime).write({ principal: operatorPrincipal() }, [
      {
        op: "retract",
        scope,
        entity: options.entity as string,
        attribute: options.attribute as string,
        authority: { by: options.by as string, weight: weightFrom(options.weight) },
        source: { type: "manual" },
        reason: options.reason,
        ...(options.validFrom !== undefined ? { validFrom: options.validFrom } : {}),
      },
    ]);
    if (!event) throw new Error("the store returned no event for a one-write batch");
    if (options.json) terminal.out(JSON.stringify(event, null, 2));
    else {
      terminal.out(formatEvent(terminal, event).join("\n"));
      if (event.status === "pending-approval" && event.approval) {
        terminal.out(
          `    decide: governor memory approve|reject --request ${event.approval.requestId} --approver ID --workflow NAME`,
        );
      }
    }
    return event;
  } finally {
    await runtime.close();
  }
}

/** @throws {GovernorError} MEMORY_FACT_INVALID unless a whole number from 0 to 100. */
function weightFrom(text: string | undefined): number {
  if (text === undefined) return DEFAULT_FORGET_WEIGHT;
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      `--weight must be a whole number from 0 to 100, got "${text}"; nothing was written`,
      { weight: text },
    );
  }
  return Number(text);
}
