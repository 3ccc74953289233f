import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Linux's clock ticks a second for /proc/<pid>/stat's times (USER_HZ: 100 on every Linux ABI). */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  readonly ppid: number;
  /** utime + stime, and cutime + cstime (children it has reaped), in ticks. */
  readonly own: number;
  readonly reaped: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: fields count from after it.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const field = (n: number) => Number(fields[n - 3]);
    return { ppid: field(4), own: field(14) + field(15), reaped: field(16) + field(17) };
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

/**
 * CPU time in ms used so far by a PostgreSQL server: the postmaster, its live backends and
 * background workers, and (through the postmaster's reaped-children times) backends that have
 * already exited. Read before and after a load; the difference is what the load cost the database.
 *
 * @throws {Error} when the data directory has no postmaster.pid (the server is not running).
 */
export function postgresCpuMs(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const root = procStat(postmaster);
  if (!root) throw new Error(`PostgreSQL's postmaster (pid ${postmaster}) is not running`);
  let ticks = root.own + root.reaped;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid === postmaster) ticks += stat.own + stat.reaped;
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Redis's own CPU so far, in ms, from its INFO cpu section (used_cpu_user + used_cpu_sys). */
export function redisCpuMsFromInfo(info: string): number {
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return (read("used_cpu_user") + read("used_cpu_sys")) * 1000;
}

/**
 * The whole machine's busy and total CPU time so far, in ms summed over cores, from /proc/stat:
 * what else ran beside the load (a shared machine) shows as busy time the load's processes did not use.
 */
export function hostCpuMs(): { readonly busy: number; readonly total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest times are already in user and nice)
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: ((total - idle) * 1000) / TICKS_PER_SECOND, total: (total * 1000) / TICKS_PER_SECOND };
}

/** The share of the machine's CPU that was busy between two hostCpuMs readings (0–1). */
export function hostBusyShare(
  before: ReturnType<typeof hostCpuMs>,
  after: ReturnType<typeof hostCpuMs>,
): number {
  return (after.busy - before.busy) / Math.max(after.total - before.total, 1);
}
