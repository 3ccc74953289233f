/**
 * One load on the embedded store, in a fresh process so its peak RSS and CPU are its own:
 * `node sqlite-load-child.js '<SqliteLoadRequest JSON>'` prints one line of LoadMeasurement JSON.
 * Every session is a `GovernorRuntime.start` in this process, on one SQLite store.
 */
import "../v8-workaround.js";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { GovernorRuntime, GovernorStore } from "@governor/core";
import { scratchDir } from "../scratch-dir.js";
import { driveSessions } from "./drive-sessions.js";
import { checkIntegrity } from "./integrity.js";
import type { LoadMeasurement } from "./load-measurement.js";
import { type LoadRequest, workloadFor } from "./load-request.js";
import { summarizeOverhead } from "./overhead-summary.js";
import { hostBusyShare, hostCpuMs } from "./process-cpu.js";
import { ResourceSampler } from "./resource-sampler.js";

async function main(request: LoadRequest): Promise<LoadMeasurement> {
  const dir = scratchDir(`load-${request.workload}`);
  const store = new GovernorStore(join(dir.path, "store"));
  const runtime = new GovernorRuntime({ store });
  const workload = workloadFor(request);
  const start = async (threadId: string, session: number) => {
    const outcome = await runtime.start(workload.workflow, workload.input(session), {
      threadId,
      model: workload.model,
    });
    if (outcome.status === "failed") throw outcome.error ?? new Error(`run ${threadId} failed`);
    return outcome.status;
  };
  try {
    // Warm: code compiled, the graph cached; outside any session, so not measured.
    for (let i = 0; i < 2; i++) await start(`warm-${i}`, i);
    const warmEffects = workload.effects().length;
    const sampler = new ResourceSampler();
    const host = hostCpuMs();
    const cpu = process.cpuUsage();
    const driven = await driveSessions({
      sessions: request.sessions,
      rampMs: request.rampMs,
      start: (i) => start(`load-${i}`, i),
      expected: workload.expected,
      onEnd: () => sampler.sample(),
    });
    const used = process.cpuUsage(cpu);
    const hostBusy = hostBusyShare(host, hostCpuMs());
    const peakRssMb = sampler.stop();
    const integrity = await checkIntegrity({
      stores: store,
      threadIds: Array.from({ length: request.sessions }, (_, i) => `load-${i}`),
      expected: workload.expected,
      handlerKeys: workload.effects().slice(warmEffects),
      duplicatedEffectRows: async () =>
        (store.db.prepare("SELECT COUNT(*) - COUNT(DISTINCT key) AS n FROM effects").get() as { n: number })
          .n,
    });
    const cpuMs = (used.user + used.system) / 1000;
    return {
      workload: request.workload,
      backend: "sqlite",
      workers: 0,
      sessions: request.sessions,
      rampMs: request.rampMs,
      completed: driven.completed,
      waiting: driven.waiting,
      errors: driven.errors,
      examples: driven.examples,
      wallMs: driven.wallMs,
      runsPerSecond: (request.sessions * 1000) / driven.wallMs,
      overhead: summarizeOverhead(driven.clocks),
      cpuMs,
      cpuPerRunMs: cpuMs / request.sessions,
      machineCpuShare: cpuMs / (driven.wallMs * availableParallelism()),
      hostBusyShare: hostBusy,
      peakRssMb,
      totalPeakRssMb: peakRssMb,
      integrity,
    };
  } finally {
    await store.close();
    dir.dispose();
  }
}

const request = JSON.parse(process.argv[2] ?? "{}") as LoadRequest;
process.stdout.write(`${JSON.stringify(await main(request))}\n`);
