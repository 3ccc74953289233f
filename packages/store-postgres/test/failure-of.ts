/** A store error as the tests read it: its code and details beside the message. */
export type StoreFailure = Error & { code?: string; details?: unknown };

/**
 * The error `work` rejects with; fails the test when it succeeds. A thunk is called here, so
 * its promise is made only when awaited (two made up front, the second could reject unheard).
 */
export async function failureOf(work: Promise<unknown> | (() => unknown)): Promise<StoreFailure> {
  try {
    await (typeof work === "function" ? work() : work);
  } catch (error) {
    return error as StoreFailure;
  }
  throw new Error("expected a failure");
}
