import type { AuditJournal, Awaitable } from "@governor/observability";
import { isGraphBubbleUp } from "@langchain/langgraph";
import type { PrivacyOptions } from "../privacy/pii-mask.js";
import type { AnyTool } from "../tools/define-tool.js";
import { inToolSpan } from "../tracing/tool-span.js";
import { type CircuitStatus, NotCalledError, type ToolCallLimits } from "./call-limits.js";
import type { EffectJournal } from "./effect-journal.js";
import { InProcessToolCallLimits } from "./in-process-call-limits.js";
import { recordResult, unrecordedMessage } from "./recorded-result.js";
import { classifyFailure, type ExecutionFailureReason, resilienceOf, runResilient } from "./resilience.js";
import type { CallScope } from "./tool-gateway.js";

/** One tool's outcome under one idempotency key. */
export type ToolRun =
  | { readonly ok: true; readonly result: unknown; readonly replayed: boolean; readonly attempts: number }
  | {
      readonly ok: false;
      readonly reason: ExecutionFailureReason;
      readonly error: string;
      readonly replayed: boolean;
      readonly attempts: number;
    };

export const OUTCOME_UNKNOWN = "outcome unknown: the call may have happened; reconcile before retrying";

/** Appends an "execution" audit record for one tool under one key; the key and outcome dedupe it. */
export type ExecutionAudit = (outcome: string, data: Record<string, unknown>) => Promise<unknown> | unknown;

export function executionAudit(
  audit: AuditJournal,
  scope: CallScope,
  callId: string,
  tool: string,
  key: string,
  args: Record<string, unknown>,
): ExecutionAudit {
  return (outcome, data) =>
    audit.append({
      threadId: scope.threadId,
      kind: "execution",
      outcome,
      node: scope.node,
      tool,
      principal: scope.principal.id,
      data: { callId, idempotencyKey: key, args, ...data },
      // Appending again with the same key fills the gap when the process died before the audit.
      dedupeKey: `${key}:${outcome}`,
    });
}

/**
 * Runs one tool's handler under its key: the effect journal decides whether it may run at
 * all, then timeout, retry and the tool's call limits (circuit breaker, rate limit) wrap it.
 * The limits are this runner's own by default (one breaker per tool, shared by every run of
 * the process and by no other process), or shared ones given to it (`RedisToolCallLimits`).
 */
export class EffectRunner {
  readonly #effects: EffectJournal;
  readonly #limits: ToolCallLimits;
  readonly #privacy: PrivacyOptions | undefined;

  constructor(effects: EffectJournal, privacy?: PrivacyOptions, limits?: ToolCallLimits) {
    this.#effects = effects;
    this.#privacy = privacy;
    this.#limits = limits ?? new InProcessToolCallLimits();
  }

  /** The breaker's state for a tool, or undefined when it has none (or has not been called yet). */
  circuit(tool: string): Awaitable<CircuitStatus | undefined> {
    return this.#limits.circuit(tool);
  }

  /** Runs the call inside its `execute_tool` span (see tool-span.ts). */
  run(
    tool: AnyTool,
    key: string,
    args: Record<string, unknown>,
    scope: CallScope,
    audit: ExecutionAudit,
    callId: string,
  ): Promise<ToolRun> {
    const span = {
      threadId: scope.threadId,
      node: scope.node,
      tool: tool.name,
      callId,
      idempotencyKey: key,
      args,
    };
    return inToolSpan(span, this.#privacy, () => this.#run(tool, key, args, scope, audit));
  }

  async #run(
    tool: AnyTool,
    key: string,
    args: Record<string, unknown>,
    scope: CallScope,
    audit: ExecutionAudit,
  ): Promise<ToolRun> {
    const known = await this.#effects.get(key);
    if (known?.status === "committed" && known.unrecorded !== undefined) {
      const error = unrecordedMessage(known.unrecorded);
      await audit("outcome-unknown", { error, attempts: 0, replayed: true });
      return { ok: false, reason: "outcome-unknown", error, replayed: true, attempts: 0 };
    }
    if (known?.status === "committed") {
      await audit("executed", { result: known.result, attempts: 0, replayed: true });
      return { ok: true, result: known.result, replayed: true, attempts: 0 };
    }
    // A call that is not idempotent never runs twice: a start with no end may have acted,
    // and a recorded failure stays the answer (a timed-out handler may have finished late).
    if (known && tool.idempotent !== true) {
      const reason = known.status === "started" ? "outcome-unknown" : (known.reason ?? "failed");
      const error = known.status === "started" ? OUTCOME_UNKNOWN : known.error;
      await audit(reason, { error, attempts: 0, replayed: true });
      return { ok: false, reason, error, replayed: true, attempts: 0 };
    }

    const settings = resilienceOf(tool);
    // Claimed inside the first try the limits admit, against what was just read: a refused call
    // (open breaker, rate limit used up, limits unreachable) leaves no record, so it may still
    // run later (a claimed call that never ran would stay "failed" for good); and a second
    // worker handed the same run (a stalled job re-delivered while the first still runs) finds
    // the claim taken and does not act.
    let claimed = false;
    const claim = async () => {
      let won: boolean;
      try {
        won = await this.#effects.start(key, tool.name, scope.threadId, known?.status);
      } catch (error) {
        // The journal's own failure is not the tool's: not counted, not retried, thrown as it was.
        throw new NotCalledError("the effect journal could not claim the call", { cause: error });
      }
      if (!won) throw new NotCalledError("another worker claimed this call");
      claimed = true;
    };
    const guard = <T>(tryOnce: () => Promise<T>) => this.#limits.guard(tool.name, settings, tryOnce);
    let attempts = 0;
    let result: unknown;
    try {
      result = await runResilient(settings, guard, { beforeFirstTry: claim }, async (signal) => {
        attempts++;
        return tool.handler(args, {
          threadId: scope.threadId,
          principal: scope.principal,
          idempotencyKey: key,
          signal,
          attempt: attempts,
        });
      });
    } catch (error) {
      if (isGraphBubbleUp(error)) throw error;
      if (!claimed && error instanceof NotCalledError) {
        if (error.cause !== undefined) throw error.cause;
        return this.#claimedElsewhere(key, audit);
      }
      const { code, retryAfterMs, ...failure } = classifyFailure(error, settings);
      if (claimed)
        await this.#effects.fail(key, failure.error, failure.reason === "timeout" ? "timeout" : "failed");
      // A refusal carries its code (RATE_LIMITED, CIRCUIT_OPEN, STORE_UNREACHABLE) and when to ask again.
      const refusal = code === undefined ? {} : { code, retryAfterMs };
      await audit(failure.reason, { error: failure.error, attempts, ...refusal });
      return { ok: false, ...failure, replayed: false, attempts };
    }
    // The handler has acted. Nothing from here on may record that as a failure: the result is
    // normalized without throwing, and the effect is committed before anything else runs. If
    // the commit itself cannot be written, the key stays "started": outcome unknown, never re-run.
    const recorded = recordResult(result);
    if (!recorded.ok) {
      await this.#effects.commitUnrecorded(key, recorded.reason);
      const error = unrecordedMessage(recorded.reason);
      await audit("outcome-unknown", { error, attempts });
      return { ok: false, reason: "outcome-unknown", error, replayed: false, attempts };
    }
    await this.#effects.commit(key, recorded.value);
    await audit("executed", { result: recorded.value, attempts });
    return { ok: true, result: recorded.value, replayed: false, attempts };
  }

  /** What another driver's claim on the key means for this one: its result, or outcome unknown. */
  async #claimedElsewhere(key: string, audit: ExecutionAudit): Promise<ToolRun> {
    const now = await this.#effects.get(key);
    if (now?.status === "committed" && now.unrecorded === undefined) {
      await audit("executed", { result: now.result, attempts: 0, replayed: true });
      return { ok: true, result: now.result, replayed: true, attempts: 0 };
    }
    const error = `${OUTCOME_UNKNOWN} (another worker claimed this call at the same moment)`;
    await audit("outcome-unknown", { error, attempts: 0, replayed: true });
    return { ok: false, reason: "outcome-unknown", error, replayed: true, attempts: 0 };
  }
}
