import { canonicalId, GovernorError, type GovernorRuntime, utcDay } from "@governor/core";
import { knownAgents } from "../known-agents.js";
import { openExistingRuntime, openRuntime } from "../open-runtime.js";
import { operator } from "../operator.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";
import { operatorPrincipal } from "./memory-scope.js";

export interface KillOptions {
  readonly agent?: string;
  readonly reason?: string;
  readonly dir?: string;
  readonly config?: string;
}

/**
 * `governor kill --reason TEXT [--agent A]`: engages a kill switch in the store. Runs in
 * every process that uses the store stop at their next node boundary; new runs are refused.
 *
 * @throws {GovernorError} CONFIG_INVALID without a reason (whoever finds the runs stopped
 *   reads it); IDENTITY_UNKNOWN for an agent no sample, registered workflow or recorded run
 *   has (a switch for it would hold nothing). Nothing is engaged then.
 */
export async function killCommand(terminal: Terminal, options: KillOptions): Promise<void> {
  if (options.reason === undefined) {
    throw new GovernorError(
      "CONFIG_INVALID",
      'governor kill needs --reason "…": it is kept in the audit journal and shown to whoever finds the runs stopped; nothing was engaged',
    );
  }
  const runtime = await openRuntime(options.dir);
  try {
    if (options.agent !== undefined) await refuseUnknownAgent(runtime, options.agent, options.config);
    const record = await runtime.kill({ agent: options.agent, reason: options.reason, by: operator() });
    const agent = record.scope === "global" ? undefined : record.scope.slice("agent:".length);
    terminal.out(paint(terminal, "red", `■ kill switch engaged (${record.scope}): ${record.reason}`));
    terminal.out(
      `  ${agent === undefined ? "every run stops at its next step" : `runs of agent ${agent} stop at their next step`}; new ones are refused until governor unkill${agent ? ` --agent ${agent}` : ""}`,
    );
  } finally {
    await runtime.close();
  }
}

/**
 * Refuses a switch for an agent nothing runs as: workflows are code, so the store alone
 * cannot tell a typo from a real agent, but the samples, the operator's config and the
 * recorded runs can.
 */
async function refuseUnknownAgent(
  runtime: GovernorRuntime,
  agent: string,
  configFile?: string,
): Promise<void> {
  const id = canonicalId(agent, "agent id");
  const { agents, unreadable } = await knownAgents(runtime, readWorkflowConfig(configFile));
  if (agents.has(id)) return;
  const listed = [...agents.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([known, from]) => `${known} (${from.join(", ")})`);
  throw new GovernorError(
    "IDENTITY_UNKNOWN",
    `No registered workflow or recorded run has agent "${id}": nothing was engaged. Known agents: ${listed.join("; ")}${unreadable.length ? `. Could not load ${unreadable.join(", ")} to read theirs: fix it, or kill globally (governor kill --reason …)` : ""}`,
    { agent: id, known: [...agents.keys()], unreadable },
  );
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
