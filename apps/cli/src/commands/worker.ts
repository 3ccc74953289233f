import type { RunRecord } from "@governor/core";
import type { WorkerTarget } from "@governor/workers";
import { formatOutcome } from "../format-events.js";
import { loadSource } from "../load-target.js";
import { targetModels } from "../model-for.js";
import { openRuntime } from "../open-runtime.js";
import { loadWorkers } from "../run-queue-client.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

export interface WorkerCommandOptions {
  readonly concurrency?: string;
  readonly dir?: string;
  readonly config?: string;
}

/**
 * How long a drained worker waits for its last connections to end before it exits anyway:
 * longer than the CLI's default trace flush (LANGFUSE_TIMEOUT, 5 s), which runs after this.
 */
const EXIT_GRACE_MS = 10_000;

/**
 * `governor worker [--concurrency N]`: takes runs from the queue on REDIS_URL and moves each
 * on from what the store says (start a queued run, continue a crashed one, resume one with
 * its stored answer). Prints one "ready" line once it listens, one line per run moved on.
 * SIGTERM or SIGINT drains: the active runs finish, no new one is taken, exit 0.
 *
 * A run's workflow is found from its recorded source, as `governor recover` finds it: only
 * samples and the workflows the operator's config names are ever loaded, whatever a job says.
 *
 * @throws {GovernorError} QUEUE_CONFIG_INVALID (REDIS_URL, --concurrency, GOVERNOR_WORKER_*),
 *   QUEUE_UNREACHABLE; the store's own errors.
 */
export async function workerCommand(terminal: Terminal, options: WorkerCommandOptions): Promise<void> {
  const { parseConcurrency, parseRedisUrl, startWorker, timingsFromEnv, drainOnSignals } =
    await loadWorkers();
  // Everything the operator typed is checked before anything connects.
  const concurrency = parseConcurrency(options.concurrency);
  const redis = parseRedisUrl(process.env.REDIS_URL);
  const timings = timingsFromEnv();
  const config = readWorkflowConfig(options.config);
  const runtime = await openRuntime(options.dir);
  // One workflow object (and model) per source: the runtime caches compiled graphs by them.
  const targets = new Map<string, Promise<WorkerTarget>>();
  const workflowFor = (run: RunRecord): Promise<WorkerTarget> => {
    let target = targets.get(run.source);
    if (!target) {
      target = (async () => {
        const loaded = await loadSource(run.source, config);
        return { workflow: loaded.workflow, options: await targetModels(loaded) };
      })();
      // A source that failed to load is tried again next time (the config may be fixed).
      target.catch(() => targets.delete(run.source));
      targets.set(run.source, target);
    }
    return target;
  };
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker({
      runtime,
      redis,
      concurrency,
      timings,
      queueName: process.env.GOVERNOR_QUEUE,
      workflowFor,
      log: (line) => terminal.err(line),
      onOutcome: (outcome) => {
        const [headline] = formatOutcome(terminal, outcome);
        terminal.out(`${outcome.threadId} ${outcome.status}${headline ? ` · ${headline.trim()}` : ""}`);
      },
    });
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const { drained } = drainOnSignals(worker, {
    after: () => runtime.close(),
    log: (line) => terminal.err(line),
  });
  terminal.out(
    paint(
      terminal,
      "green",
      `governor worker ready: queue ${worker.queue.name} on ${redis.shown} · concurrency ${concurrency} · store ${runtime.store.location} · ${worker.requeued} due run(s) enqueued`,
    ),
  );
  await drained;
  terminal.out("governor worker drained: every active run finished; exiting");
  // Drained and the store closed, nothing is left to do. After Redis restarted under it, a
  // worker once did not exit on SIGTERM (CI; not reproduced since): whatever a library leaves
  // open, a connection or a timer, must not keep the process alive for good, or its supervisor
  // has to kill it. The timer is unref'd, so a process with nothing left open exits at once.
  setTimeout(() => process.exit(process.exitCode ?? 0), EXIT_GRACE_MS).unref();
}
