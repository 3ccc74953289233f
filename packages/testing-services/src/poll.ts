/**
 * Polls `ready` until it answers true or `timeoutMs` passes: services start in a few hundred
 * ms on a quiet machine and in many seconds on a loaded one, so tests wait for readiness
 * instead of sleeping a fixed time.
 */
export async function pollUntil(
  what: string,
  ready: () => Promise<boolean> | boolean,
  timeoutMs: number,
  failed?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
    const reason = failed?.();
    if (reason) throw new Error(`${what} failed to start: ${reason}`);
    if (
      await Promise.resolve()
        .then(ready)
        .catch(() => false)
    )
      return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
