import { randomUUID } from "node:crypto";
import {
  type CallLimitSettings,
  CallRefusedError,
  type CircuitStatus,
  isToolFailure,
  type ToolCallLimits,
} from "@governor/core";
import type { Redis } from "ioredis";
import { DEFAULT_KEY_PREFIX, limitKeys } from "./limit-keys.js";
import { ADMIT, CIRCUIT, RECORD } from "./limit-scripts.js";
import { connectLimitsRedis } from "./redis-connection.js";

export interface RedisToolCallLimitsOptions {
  /** `redis://host:port[/db]` (this object then owns the connection), or a client you own. */
  readonly redis: string | Redis;
  /** Default: `governor:limits`. Give workflows that must not share limits different prefixes. */
  readonly keyPrefix?: string;
  /**
   * The longest any one Redis command may take before the call fails closed. Default: 2 s.
   * Applies to a connection made from a URL; a client you pass keeps its own settings.
   */
  readonly commandTimeoutMs?: number;
  /**
   * How long breaker state of a tool nobody calls is kept: after this, an idle tool starts
   * again closed, with no failures counted. Default: one hour.
   */
  readonly staleAfterMs?: number;
}

/** The scripts as ioredis commands (EVALSHA, falling back to EVAL once after a Redis restart). */
interface LimitCommands {
  governorAdmit(...args: (string | number)[]): Promise<[number, number | string, number]>;
  governorRecord(...args: (string | number)[]): Promise<string>;
  governorCircuit(...args: (string | number)[]): Promise<CircuitStatus>;
}

// A dead trial caller's probe expires after its try's timeout and this much more.
const PROBE_GRACE_MS = 1_000;

/**
 * Circuit breakers and rate limits shared by every worker on one Redis: a failure any worker
 * sees counts towards the breaker for all, only one worker makes the half-open trial call,
 * and a tool's `rateLimit` holds for the pool as a whole (a sliding window of call starts).
 *
 * Fails closed: when Redis cannot be asked within the command timeout, the try is refused
 * with reason "limits-unavailable" (STORE_UNREACHABLE) and the tool is not called; nothing
 * waits longer than the timeout. Once the try has run, its outcome is reported on a best-effort
 * basis: a report that cannot be written is dropped rather than turning a result into a failure.
 *
 * @example
 * const limits = new RedisToolCallLimits({ redis: process.env.REDIS_URL });
 * const runtime = new GovernorRuntime({ store, limits });
 */
export class RedisToolCallLimits implements ToolCallLimits {
  readonly #redis: Redis & LimitCommands;
  readonly #owned: boolean;
  readonly #prefix: string;
  readonly #staleMs: number;
  #lastError: string | undefined;

  constructor(options: RedisToolCallLimitsOptions) {
    const redis =
      typeof options.redis === "string"
        ? connectLimitsRedis(options.redis, options.commandTimeoutMs ?? 2_000)
        : options.redis;
    this.#owned = typeof options.redis === "string";
    redis.on("error", (error: Error) => {
      this.#lastError = error.message;
    });
    redis.defineCommand("governorAdmit", { numberOfKeys: 3, lua: ADMIT });
    redis.defineCommand("governorRecord", { numberOfKeys: 3, lua: RECORD });
    redis.defineCommand("governorCircuit", { numberOfKeys: 2, lua: CIRCUIT });
    this.#redis = redis as Redis & LimitCommands;
    this.#prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    this.#staleMs = options.staleAfterMs ?? 60 * 60_000;
  }

  async guard<T>(tool: string, settings: CallLimitSettings, tryOnce: () => Promise<T>): Promise<T> {
    const keys = limitKeys(this.#prefix, tool);
    const probeToken = randomUUID();
    let admitted: [number, number | string, number];
    try {
      admitted = await this.#redis.governorAdmit(
        keys.openUntil,
        keys.probe,
        keys.window,
        settings.breaker ? 1 : 0,
        settings.timeoutMs + PROBE_GRACE_MS,
        probeToken,
        settings.rateLimit?.limit ?? 0,
        settings.rateLimit?.intervalMs ?? 0,
        `${Date.now()}:${probeToken}`,
      );
    } catch (error) {
      throw this.#unavailable(tool, error);
    }
    const [ok, detail, retryAfterMs] = admitted;
    if (ok !== 1) throw refusal(tool, String(detail), Number(retryAfterMs), settings);
    if (!settings.breaker) return tryOnce();

    const probe = detail === 1 ? probeToken : "";
    let result: T;
    try {
      result = await tryOnce();
    } catch (error) {
      // A LangGraph interrupt or a refusal is not the tool failing; a trial call that ends
      // that way gives its probe back (as a success would) so another worker may try.
      await this.#record(tool, isToolFailure(error) ? "failure" : "neutral", settings, probe);
      throw error;
    }
    await this.#record(tool, "success", settings, probe);
    return result;
  }

  async circuit(tool: string): Promise<CircuitStatus | undefined> {
    const keys = limitKeys(this.#prefix, tool);
    try {
      return await this.#redis.governorCircuit(keys.openUntil, keys.probe);
    } catch (error) {
      throw this.#unavailable(tool, error);
    }
  }

  /** Closes the connection this object opened; a client passed in is left to its owner. */
  async close(): Promise<void> {
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #record(
    tool: string,
    outcome: "success" | "failure" | "neutral",
    settings: CallLimitSettings,
    probe: string,
  ): Promise<void> {
    const breaker = settings.breaker;
    if (!breaker) return;
    const keys = limitKeys(this.#prefix, tool);
    try {
      if (outcome === "neutral") {
        if (probe) await this.#redis.eval(RELEASE_PROBE, 1, keys.probe, probe);
        return;
      }
      await this.#redis.governorRecord(
        keys.openUntil,
        keys.probe,
        keys.failures,
        outcome,
        breaker.threshold,
        breaker.halfOpenAfterMs,
        probe,
        this.#staleMs,
      );
    } catch (error) {
      // The try has already acted: losing its report only undercounts the breaker (or keeps
      // the probe until it expires), which is safer than failing a call that succeeded.
      this.#lastError = error instanceof Error ? error.message : String(error);
    }
  }

  #unavailable(tool: string, error: unknown): CallRefusedError {
    const why = error instanceof Error ? error.message : String(error);
    const last =
      this.#lastError && this.#lastError !== why ? ` (last connection error: ${this.#lastError})` : "";
    return new CallRefusedError(
      tool,
      "limits-unavailable",
      0,
      `shared call limits in Redis could not be checked: ${why}${last}; not called`,
      { cause: error },
    );
  }
}

// Deletes the probe only if this caller still holds it.
const RELEASE_PROBE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

function refusal(tool: string, reason: string, retryAfterMs: number, settings: CallLimitSettings) {
  if (reason === "rate-limited") {
    const rate = settings.rateLimit;
    return new CallRefusedError(
      tool,
      "rate-limited",
      retryAfterMs,
      `rate limit of ${rate?.limit} calls per ${rate?.intervalMs} ms used up across workers; not called (try again in ${retryAfterMs} ms)`,
    );
  }
  return new CallRefusedError(
    tool,
    "circuit-open",
    retryAfterMs,
    `circuit breaker open after repeated failures (shared across workers); not called (try again in ${retryAfterMs} ms)`,
  );
}
