/**
 * Circuit breakers and per-tool rate limits shared by a pool of workers through Redis.
 * Pass a `RedisToolCallLimits` as `limits` to the runtime (or to `compile`).
 */
export { DEFAULT_KEY_PREFIX } from "./limit-keys.js";
export { RedisToolCallLimits, type RedisToolCallLimitsOptions } from "./redis-tool-call-limits.js";
