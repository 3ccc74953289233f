import { afterEach, beforeEach } from "vitest";
import type { OpenedStore, OpenStore } from "./opened-store.js";

/**
 * Opens a fresh store before each test of the enclosing describe and closes it after:
 * the returned getter is the current one.
 */
export function eachStore<TStore>(open: OpenStore<TStore>): () => OpenedStore<TStore> {
  let opened: OpenedStore<TStore> | undefined;
  beforeEach(async () => {
    opened = await open();
  });
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });
  return () => {
    if (!opened) throw new Error("no store is open: call the getter inside a test");
    return opened;
  };
}

/**
 * The store and `n` instances in all, the extra ones on other connections where the backend
 * offers them. `warm` is called on each a few times at once first, so every instance has its
 * connections open and the race that follows overlaps for real.
 */
export async function instances<TStore>(
  opened: OpenedStore<TStore>,
  n: number,
  warm?: (store: TStore) => unknown,
): Promise<TStore[]> {
  const all = [opened.store];
  while (opened.another && all.length < n) all.push(await opened.another());
  // Without another connection, the same instance takes every call: still concurrent promises.
  while (all.length < n) all.push(opened.store);
  if (warm) await Promise.all(all.flatMap((store) => Array.from({ length: 8 }, () => warm(store))));
  return all;
}

/** Calls `fn` (sync or async) and answers the error it threw or rejected with. */
export async function failureOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure, but the call succeeded");
}
