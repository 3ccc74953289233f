import { canonicalId, utcDay } from "@governor/core";
import { openRuntime } from "../open-runtime.js";
import { operator } from "../operator.js";
import { paint, type Terminal } from "../terminal.js";
import { operatorPrincipal } from "./memory-scope.js";

export interface KillOptions {
  readonly agent?: string;
  readonly reason?: string;
  readonly dir?: string;
}

/**
 * `governor kill [--agent A]`: engages a kill switch in the store. Runs in every process
 * that uses the store stop at their next node boundary; new runs are refused.
 */
export function killCommand(terminal: Terminal, options: KillOptions): void {
  const runtime = openRuntime(options.dir);
  try {
    const record = runtime.kill({ agent: options.agent, reason: options.reason, by: operator() });
    const agent = record.scope === "global" ? undefined : record.scope.slice("agent:".length);
    const what = agent === undefined ? "every run" : `runs of agent ${agent}`;
    terminal.out(paint(terminal, "red", `■ kill switch engaged (${record.scope}): ${record.reason}`));
    terminal.out(
      `  ${what} stop at their next step; new ones are refused until governor unkill${agent ? ` --agent ${agent}` : ""}`,
    );
    // Workflows are code, so the store cannot refuse an agent it has not seen; it can say so,
    // so a typo does not pass for a switch that holds the runs someone meant to stop.
    const known = agent === undefined ? [] : knownAgents(runtime);
    if (agent !== undefined && !known.includes(agent)) {
      terminal.out(
        paint(
          terminal,
          "yellow",
          `  note: no run in this store has acted as agent ${agent} yet${known.length ? ` (agents seen: ${known.join(", ")})` : ""}; the switch holds for its future runs`,
        ),
      );
    }
  } finally {
    runtime.close();
  }
}

/** `governor unkill [--agent A]`: releases a kill switch. Releasing one that is not engaged is not an error. */
export function unkillCommand(terminal: Terminal, options: Omit<KillOptions, "reason">): void {
  const runtime = openRuntime(options.dir);
  try {
    const scope = options.agent !== undefined ? `agent:${canonicalId(options.agent, "agent id")}` : "global";
    const released = runtime.unkill({ agent: options.agent, by: operator() });
    terminal.out(
      released
        ? paint(terminal, "green", `▶ kill switch released (${scope})`)
        : `no ${scope} kill switch was engaged`,
    );
    const others = runtime.killSwitches();
    if (others.length) {
      terminal.out(
        `  still engaged: ${others.map((record) => `${record.scope} (${record.reason})`).join(", ")}`,
      );
    }
  } finally {
    runtime.close();
  }
}

/** `governor status`: engaged kill switches, runs by status, and today's model spend by principal. */
export function statusCommand(terminal: Terminal, options: { dir?: string; json?: boolean }): void {
  const runtime = openRuntime(options.dir);
  try {
    const day = utcDay(Date.now());
    const kills = runtime.killSwitches();
    const runs: Record<string, number> = {};
    for (const run of runtime.store.runs.list()) runs[run.status] = (runs[run.status] ?? 0) + 1;
    const spend = runtime.store.spend.byPrincipal(day);
    const memoryPending = runtime.store.memory.pending(operatorPrincipal()).length;
    if (options.json) {
      terminal.out(
        JSON.stringify(
          {
            store: runtime.store.dir,
            killSwitches: kills,
            runs,
            spend: { day, byPrincipal: spend },
            memory: { pendingApprovals: memoryPending },
          },
          null,
          2,
        ),
      );
      return;
    }
    terminal.out(`store: ${runtime.store.dir}`);
    if (!kills.length) terminal.out(paint(terminal, "green", "kill switches: none engaged"));
    for (const record of kills) {
      terminal.out(
        paint(
          terminal,
          "red",
          `kill switch ${record.scope}: ${record.reason} · since ${record.at}${record.by ? ` · by ${record.by}` : ""}`,
        ),
      );
    }
    const counts = Object.entries(runs).map(([status, count]) => `${count} ${status}`);
    terminal.out(`runs: ${counts.join(", ") || "none"}`);
    if (memoryPending)
      terminal.out(`memory: ${memoryPending} write(s) waiting for approval (governor memory pending)`);
    terminal.out(`model spend on ${day} (UTC): ${spend.length ? "" : "none"}`);
    for (const row of spend)
      terminal.out(`  ${row.principal.padEnd(40)} $${row.costUsd.toFixed(6)} over ${row.runs} run(s)`);
  } finally {
    runtime.close();
  }
}

/** The agents recorded runs acted as, in the canonical form kill switches compare. */
function knownAgents(runtime: ReturnType<typeof openRuntime>): string[] {
  const agents = runtime.store.runs.list().map((run) => canonicalId(run.principal.agentId, "agent id"));
  return [...new Set(agents)].sort();
}
