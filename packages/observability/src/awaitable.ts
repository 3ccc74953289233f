import type { Awaitable } from "./audit-record.js";

/**
 * `fn` applied to `value` now if it is a plain value, or when it settles if it is a promise.
 * Decorators of a store (masking, tracing) use it so a synchronous backend stays synchronous:
 * an `await` or `.then` on every append would cost the embedded store a microtask each.
 */
export function whenReady<T, U>(value: Awaitable<T>, fn: (value: T) => U): Awaitable<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}
