import type { RunWorker } from "./run-worker.js";

/**
 * Drains the worker on SIGTERM or SIGINT (a deploy, Ctrl-C): no new job is taken, the active
 * ones finish, then `after` runs (close the store) and the promise resolves, so the process
 * can exit 0. Nothing is lost by draining: jobs still waiting stay in Redis for other workers.
 * A second signal while draining stops waiting: the active jobs are left to the stalled-job
 * check of the other workers, which continue them from their last checkpoint.
 *
 * @returns a promise settled once drained, and a function removing the signal handlers.
 */
export function drainOnSignals(
  worker: RunWorker,
  options: { after?: () => unknown; log?: (line: string) => void } = {},
): { drained: Promise<void>; dispose: () => void } {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  let resolveDrained!: () => void;
  let rejectDrained!: (error: unknown) => void;
  const drained = new Promise<void>((resolve, reject) => {
    resolveDrained = resolve;
    rejectDrained = reject;
  });
  let draining = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (draining) {
      log(`${signal} again: leaving the active jobs to other workers`);
      // BullMQ's forced close can itself wait on a dead connection: the exit does not wait for it long.
      setTimeout(() => process.exit(130), 5_000).unref();
      void worker.worker.close(true).finally(() => process.exit(130));
      return;
    }
    draining = true;
    log(`${signal}: draining (finishing active jobs, taking no new ones)`);
    worker
      .close()
      .then(() => options.after?.())
      .then(resolveDrained, rejectDrained);
  };
  const signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];
  for (const signal of signals) process.on(signal, onSignal);
  const dispose = () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  void drained.finally(dispose).catch(() => {});
  return { drained, dispose };
}
