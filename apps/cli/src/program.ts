import { GovernorError } from "@governor/errors";
import { Command, CommanderError, Option } from "commander";
import { refuseOddValues } from "./cli-values.js";
import { cliVersion } from "./cli-version.js";
import { registerMemoryCommands } from "./commands/memory-program.js";
import { HELP_EXAMPLES } from "./help-examples.js";
import { RUN_EXAMPLES } from "./run-examples.js";
import { SAMPLES } from "./samples.js";
import { paint, processTerminal, type Terminal } from "./terminal.js";

// Each command's handler is imported when the command runs, not here: a command then loads
// only what it uses (a run never loads the audit verifier, the memory commands or the graph
// drawer), which keeps the CLI's start-up cost that of the command typed.

/** Exit codes: 0 done, 1 a governed failure or invalid input, 2 a usage error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The `governor` command line. Actions set `state.exitCode`; nothing here calls process.exit. */
export function createProgram(terminal: Terminal, state: { exitCode: number }): Command {
  const program = new Command("governor")
    .description("Governed AI-agent workflows on LangGraph: run samples, answer approvals, inspect runs")
    .version(cliVersion(), "-V, --version", "print the CLI's version")
    .addHelpText("after", HELP_EXAMPLES.program)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => terminal.out(text.trimEnd()),
      writeErr: (text) => terminal.err(text.trimEnd()),
    });
  const dir = new Option("--dir <path>", "where runs are stored (default: $GOVERNOR_DIR or .governor)");
  // The only modules governor imports for a run it did not start: see workflow-config.ts.
  const config = new Option(
    "--config <path>",
    "the workflow config naming the modules governor may load (default: $GOVERNOR_CONFIG or ./governor.config.json)",
  );

  program
    .command("run")
    .description("run a sample (e.g. refund) or a workflow module end to end")
    // Optional so that `governor run refund --help` reaches the action, which then prints
    // refund's input fields; the action refuses a missing target like commander would.
    .argument("[target]", "a sample name or a path to a workflow module")
    .helpOption(false)
    .option("-h, --help", "this help; with a target, also the fields its --input takes")
    .option("--case <name>", "run one case of the sample")
    .option(
      "--input <json>",
      "run with this input instead of the sample's cases: a JSON object of the state's fields, @file.json, or - for stdin",
    )
    .option("--thread <id>", "thread id for a single run")
    .option("--no-interactive", "never prompt: leave approvals waiting")
    .option("--max-tokens <n>", "run budget: model tokens")
    .option("--max-cost <usd>", "run budget: model cost in USD")
    .option("--max-steps <n>", "run budget: nodes executed")
    .option(
      "--queue",
      "admit the run and leave it to a worker (governor worker) on REDIS_URL; prints its thread id",
    )
    .addOption(dir)
    .addOption(config)
    .addHelpText("after", RUN_EXAMPLES)
    .action(async (target: string | undefined, options, command: Command) => {
      if (options.help) {
        terminal.out(command.helpInformation().trimEnd());
        terminal.out(RUN_EXAMPLES);
        if (target) {
          const { runTargetHelp } = await import("./run-help.js");
          for (const line of await runTargetHelp(target, options.config)) terminal.out(line);
        }
        return;
      }
      if (!target) command.error("error: missing required argument 'target'", { exitCode: EXIT.usage });
      const { runCommand } = await import("./commands/run.js");
      const outcomes = await runCommand(terminal, target, options);
      if (outcomes.some((outcome) => outcome.status === "failed")) state.exitCode = EXIT.failed;
    });

  for (const decision of ["approve", "reject"] as const) {
    program
      .command(decision)
      .description(
        `${decision} the call a waiting run asks for, and run it on (with REDIS_URL set: a worker runs it on)`,
      )
      .argument("<thread>", "the run's thread id (see governor pending)")
      .option("--request <id>", "the request decided, when the run waits for several (see governor pending)")
      .option("--all", "decide every request the run waits for")
      .option("--reason <text>", "why, for the audit journal")
      .option("--approver <id>", "who decides (default: $GOVERNOR_APPROVER or the OS user)")
      .addOption(dir)
      .addOption(config)
      .addHelpText("after", HELP_EXAMPLES.decide)
      .action(async (thread: string, options) => {
        const { decideCommand } = await import("./commands/approvals.js");
        const outcome = await decideCommand(terminal, decision, thread, options);
        if (outcome.status === "failed") state.exitCode = EXIT.failed;
      });
  }

  program
    .command("budget")
    .description("answer a run waiting for more budget: extend it or stop it")
    .argument("<thread>", "the run's thread id")
    .option("--extend-tokens <n>", "grant this many more model tokens")
    .option("--extend-cost <usd>", "grant this much more cost, in USD")
    .option("--extend-steps <n>", "grant this many more steps")
    .option("--stop", "stop the run instead")
    .option("--approver <id>", "who decides (default: $GOVERNOR_APPROVER or the OS user)")
    .option("--reason <text>", "why, for the audit journal")
    .addOption(dir)
    .addOption(config)
    .addHelpText("after", HELP_EXAMPLES.budget)
    .action(async (thread: string, options) => {
      const { budgetCommand } = await import("./commands/budget.js");
      const outcome = await budgetCommand(terminal, thread, options);
      if (outcome.status === "failed") state.exitCode = EXIT.failed;
    });

  program
    .command("worker")
    .description(
      "take runs from the queue on REDIS_URL and run them (start, resume after an answer, continue after a crash); SIGTERM drains",
    )
    .option("--concurrency <n>", "runs at once in this process (default 1)")
    .addOption(dir)
    .addOption(config)
    .action(async (options) => {
      const { workerCommand } = await import("./commands/worker.js");
      await workerCommand(terminal, options);
    });

  program
    .command("recover")
    .description("continue a run whose process died part-way, from its last checkpoint")
    .argument("<thread>", "the run's thread id")
    .addOption(dir)
    .addOption(config)
    .action(async (thread: string, options) => {
      const { recoverCommand } = await import("./commands/recover.js");
      const outcome = await recoverCommand(terminal, thread, options);
      if (outcome.status === "failed") state.exitCode = EXIT.failed;
    });

  program
    .command("pending")
    .description("list runs waiting for an approval or for more budget (personal data masked)")
    .argument("[thread]", "only this run")
    .option("--json", "print JSON")
    .option("--reveal", "show the run's real arguments to --approver, if entitled to decide it (audited)")
    .option("--approver <id>", "who is looking, for --reveal")
    .option("--request <id>", "for --reveal: which request, when the run waits for several")
    .addOption(dir)
    .addOption(config)
    .addHelpText("after", HELP_EXAMPLES.pending)
    .action(async (thread: string | undefined, options) => {
      const { pendingCommand } = await import("./commands/approvals.js");
      await pendingCommand(terminal, thread, options);
    });

  program
    .command("graph")
    .description("print a workflow's compiled graph as Mermaid")
    .argument("<target>", "a sample name, a registered workflow name or a path to a workflow module")
    .addOption(config)
    .action(async (target: string, options) => {
      const { graphCommand } = await import("./commands/graph.js");
      await graphCommand(terminal, target, options);
    });

  program
    .command("validate")
    .description("check a workflow module and list every problem")
    .argument("<target>", "a path to a workflow module (or a sample or registered workflow name)")
    .addOption(config)
    .action(async (target: string, options) => {
      const { validateCommand } = await import("./commands/validate.js");
      if (!(await validateCommand(terminal, target, options))) state.exitCode = EXIT.failed;
    });

  program
    .command("init")
    .description(
      "start a project: a governed workflow with its tool, Cedar policy and schema, scenario script, config and test, runnable offline at once",
    )
    .argument("[dir]", "a new or empty directory (default: the current one)")
    .action(async (dir: string | undefined) => {
      const { initCommand } = await import("./commands/init.js");
      initCommand(terminal, dir);
    });

  program
    .command("samples")
    .description("list the sample workflows and their cases")
    .action(async () => {
      // Listing cases needs each sample's definition: the one command that loads them all.
      for (const entry of SAMPLES.values()) {
        const sample = await entry.load();
        terminal.out(`${paint(terminal, "bold", sample.name)} — ${sample.description}`);
        for (const c of sample.cases) terminal.out(`  --case ${c.name.padEnd(18)} ${c.description}`);
      }
    });

  program
    .command("kill")
    .description(
      "engage the kill switch: running runs stop at their next step, new runs are refused (needs --reason)",
    )
    .option(
      "--agent <id>",
      "only this agent's runs (default: every run); an agent of a sample or registered workflow",
    )
    .option(
      "--reason <text>",
      "why (required): kept in the audit journal, shown to whoever finds the runs stopped",
    )
    .addOption(dir)
    .addOption(config)
    .addHelpText("after", HELP_EXAMPLES.kill)
    .action(async (options) => {
      const { killCommand } = await import("./commands/kill.js");
      await killCommand(terminal, options);
    });

  program
    .command("unkill")
    .description("release the kill switch (the global one, or one agent's with --agent)")
    .option("--agent <id>", "release this agent's switch")
    .addOption(dir)
    .action(async (options) => {
      const { unkillCommand } = await import("./commands/kill.js");
      await unkillCommand(terminal, options);
    });

  program
    .command("revoke")
    .description(
      "revoke a user's delegation: runs acting under it stop at their next step, nothing more executes",
    )
    .argument("[jti]", "the delegation token's id")
    .option("--thread <id>", "revoke the delegation this run acts under")
    .option("--reason <text>", "why, for the audit journal")
    .addOption(dir)
    .action(async (jti: string | undefined, options) => {
      const { revokeCommand } = await import("./commands/revoke.js");
      await revokeCommand(terminal, jti, options);
    });

  program
    .command("reconcile")
    .description(
      "settle a side effect whose outcome is unknown (its process died while the tool ran), as the downstream system shows; audited",
    )
    .argument("<thread>", "the run's thread id")
    .option("--happened", "the call took effect downstream: record it executed")
    .option("--did-not-happen", "the call did not take effect: record it failed")
    .option("--approver <id>", "who checked, for the audit journal")
    .option("--reason <text>", "what was checked, for the audit journal")
    .option("--key <key>", "which effect, when the run has several unknown ones (its idempotency key)")
    .addOption(dir)
    .action(async (thread: string, options) => {
      const { reconcileCommand } = await import("./commands/reconcile.js");
      await reconcileCommand(terminal, thread, options);
    });

  program
    .command("migrate")
    .description(
      "apply the PostgreSQL schema's migrations (DATABASE_URL); workers and commands also migrate on start",
    )
    .option("--database-url <url>", "the database (default: DATABASE_URL)")
    .action(async (options) => {
      const { migrateCommand } = await import("./commands/migrate.js");
      await migrateCommand(terminal, options);
    });

  program
    .command("console")
    .description("serve the web console (runs, approvals, graphs, audit, kill switch) over this store")
    .option("--port <n>", "the port (default 7878; 0 picks a free one)")
    .option("--host <address>", "the address to bind (default 127.0.0.1; anything else needs --allow-remote)")
    .option(
      "--allow-remote",
      "serve on a non-loopback --host: every decision then needs an approver token signed with $GOVERNOR_CONSOLE_SECRET",
    )
    .option("--approver <id>", "who decides on loopback (default: $GOVERNOR_APPROVER or the OS user)")
    .addOption(dir)
    .addOption(config)
    .action(async (options) => {
      const { consoleCommand } = await import("./commands/console.js");
      await consoleCommand(terminal, options);
    });

  program
    .command("status")
    .description("engaged kill switches, runs by status, today's model spend by principal")
    .option("--json", "print JSON")
    .addOption(dir)
    .action(async (options) => {
      const { statusCommand } = await import("./commands/kill.js");
      await statusCommand(terminal, options);
    });

  program
    .command("policy")
    .description("dry-run a workflow's policy")
    .command("test")
    .description("decide a directory of request fixtures (*.json) and compare with the expected decisions")
    .argument("<dir>", "the fixtures: each a request and its expected effect (and policy ids)")
    .requiredOption("--workflow <target>", "the sample, registered workflow or module whose policy decides")
    .addOption(config)
    .action(async (fixtures: string, options) => {
      const { policyTestCommand } = await import("./commands/policy.js");
      if (!(await policyTestCommand(terminal, fixtures, options))) state.exitCode = EXIT.failed;
    });

  const runs = program
    .command("runs")
    .description("list runs, newest first: status, workflow, principal, cost, start and duration")
    .option("--status <status>", "only runs in this status: queued, running, waiting, completed or failed")
    .option("--workflow <name>", "only runs of this workflow")
    .option("--since <date>", "only runs started since: 2026-12-01, 2026-12-01T09:30Z, or 30m, 24h, 7d")
    .option("--limit <n>", "runs per page (default 20)")
    .option("--page <k>", "which page (default 1)")
    .option("--json", "print JSON")
    .addOption(dir)
    .action(async (options) => {
      const { runsListCommand } = await import("./commands/runs.js");
      await runsListCommand(terminal, options);
    });
  runs
    .command("show")
    .description("a run's timeline: model calls, decisions, approvals, tool calls, budget, outcome")
    .argument("<thread>", "the run's thread id (or its start, as governor runs prints it)")
    .option("--json", "print JSON")
    .addOption(dir)
    .action(async (thread: string, _options, command: Command) => {
      // `runs` takes --dir and --json too, and commander gives them to it when typed after
      // `show`: read both commands' options.
      const { runsShowCommand } = await import("./commands/runs.js");
      await runsShowCommand(terminal, thread, command.optsWithGlobals());
    });

  program
    .command("cost")
    .description("model cost per workflow, principal or model: per run and per resolved (completed) run")
    .option("--since <date>", "only runs started since: 2026-12-01, 2026-12-01T09:30Z, or 30m, 24h, 7d")
    .option("--by <grouping>", "group by workflow, principal or model (default workflow)")
    .option("--json", "print JSON")
    .addOption(dir)
    .action(async (options) => {
      const { costCommand } = await import("./commands/cost.js");
      await costCommand(terminal, options);
    });

  program
    .command("replay")
    .description(
      "re-execute a finished run from its records (no model, no tool called) and check every decision comes out the same (exit 1 when one differs); with --policies, re-decide recorded runs under another Cedar policy set and list what would differ (exit 0: the differences are the answer)",
    )
    .argument("[threads...]", "the run to replay; with --policies, the runs to re-decide (default: all)")
    .option("--policies <dir>", "what-if: a directory of .cedar files and one .cedarschema")
    .option(
      "--since <date>",
      "what-if: only runs started since: 2026-12-01, 2026-12-01T09:30Z, or 30m, 24h, 7d",
    )
    .option(
      "--force",
      "replay a run recorded under another workflow version (or before versions were recorded)",
    )
    .option("--json", "print JSON")
    .addOption(dir)
    .addOption(config)
    .action(async (threads: string[], options) => {
      const { replayCommand } = await import("./commands/replay.js");
      const { differs } = await replayCommand(terminal, threads, options);
      if (differs) state.exitCode = EXIT.failed;
    });
  registerMemoryCommands(program, terminal, state, { dir, config });

  const audit = program.command("audit").description("the tamper-evident audit journal");
  audit
    .command("verify")
    .description("check the hash chain and name the first broken record")
    .addOption(dir)
    .action(async (options) => {
      const { auditVerifyCommand } = await import("./commands/audit.js");
      if (!(await auditVerifyCommand(terminal, options))) state.exitCode = EXIT.failed;
    });
  audit
    .command("show")
    .description("print a run's decisions in order")
    .argument("<thread>", "the run's thread id")
    .option("--json", "print JSON")
    .addOption(dir)
    .addHelpText("after", HELP_EXAMPLES.auditShow)
    .action(async (thread: string, options) => {
      const { auditShowCommand } = await import("./commands/audit.js");
      await auditShowCommand(terminal, thread, options);
    });

  refuseOddValues(program);
  return program;
}

/** Runs the CLI and returns the exit code; errors become one clear line with their code. */
export async function runCli(
  argv: readonly string[],
  terminal: Terminal = processTerminal(),
): Promise<number> {
  const state = { exitCode: EXIT.ok as number };
  try {
    await createProgram(terminal, state).parseAsync([...argv], { from: "user" });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version "errors" are how commander ends a successful --help.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof GovernorError) {
      terminal.err(paint(terminal, "red", `error [${error.code}]: ${error.message}`));
      return EXIT.failed;
    }
    // Anything else is a bug or an environment problem: still one line, never a stack
    // trace in the operator's face unless they ask for it.
    const message = error instanceof Error ? error.message : String(error);
    terminal.err(paint(terminal, "red", `error: ${message} (unexpected; set GOVERNOR_DEBUG=1 for details)`));
    if (process.env.GOVERNOR_DEBUG && error instanceof Error && error.stack) terminal.err(error.stack);
    return EXIT.failed;
  }
}
