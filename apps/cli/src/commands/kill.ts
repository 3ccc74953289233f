import { canonicalId, type GovernorRuntime, utcDay } from "@governor/core";
import { openExistingRuntime, openRuntime } from "../open-runtime.js";
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
export async function killCommand(terminal: Terminal, options: KillOptions): Promise<void> {
  const runtime = await openRuntime(options.dir);
  try {
    const record = await runtime.kill({ agent: options.agent, reason: options.reason, by: operator() });
    const agent = record.scope === "global" ? undefined : record.scope.slice("agent:".length);
    const what = agent === undefined ? "every run" : `runs of agent ${agent}`;
    terminal.out(paint(terminal, "red", `■ kill switch engaged (${record.scope}): ${record.reason}`));
    terminal.out(
      `  ${what} stop at their next step; new ones are refused until governor unkill${agent ? ` --agent ${agent}` : ""}`,
    );
    // Workflows are code, so the store cannot refuse an agent it has not seen; it can say so,
    // so a typo does not pass for a switch that holds the runs someone meant to stop.
    const known = agent === undefined ? [] : await knownAgents(runtime);
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
    await runtime.close();
  }
}

/** `governor unkill [--agent A]`: releases a kill switch. Releasing one that is not engaged is not an error. */
export async function unkillCommand(terminal: Terminal, options: Omit<KillOptions, "reason">): Promise<void> {
  const runtime = await openRuntime(options.dir);
  try {
    const scope = options.agent !== undefined ? `agent:${canonicalId(options.agent, "agent id")}` : "global";
    const released = await runtime.unkill({ agent: options.agent, by: operator() });
    terminal.out(
      released
        ? paint(terminal, "green", `▶ kill switch released (${scope})`)
        : `no ${scope} kill switch was engaged`,
    );
    const others = await runtime.killSwitches();
    if (others.length) {
      terminal.out(
        `  still engaged: ${others.map((record) => `${record.scope} (${record.reason})`).join(", ")}`,
      );
    }
  } finally {
    await runtime.close();
  }
}

/** `governor status`: engaged kill switches, runs by status, and today's model spend by principal. */
export async function statusCommand(
  terminal: Terminal,
  options: { dir?: string; json?: boolean },
): Promise<void> {
  const runtime = await openExistingRuntime(options.dir);
  try {
    const day = utcDay(Date.now());
    const kills = await runtime.killSwitches();
    const runs: Record<string, number> = {};
    for (const run of await runtime.store.runs.list()) runs[run.status] = (runs[run.status] ?? 0) + 1;
    const spend = await runtime.store.spend.byPrincipal(day);
    // Memory is kept in the embedded store only (not on PostgreSQL yet): nothing can wait there.
    const memoryPending = runtime.store.memory?.pending(operatorPrincipal()).length ?? 0;
    if (options.json) {
      terminal.out(
        JSON.stringify(
          {
            store: runtime.store.location,
            backend: runtime.store.backend,
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
    terminal.out(`store: ${runtime.store.location} (${runtime.store.backend})`);
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
    await runtime.close();
  }
}

/** The agents recorded runs acted as, in the canonical form kill switches compare. */
async function knownAgents(runtime: GovernorRuntime): Promise<string[]> {
  const agents = (await runtime.store.runs.list()).map((run) =>
    canonicalId(run.principal.agentId, "agent id"),
  );
  return [...new Set(agents)].sort();
}
