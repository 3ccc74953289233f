import type { Command, Option } from "commander";
import type { Terminal } from "../terminal.js";
import { OPERATOR_MEMORY_SCOPE } from "./memory-scope.js";

// Handlers are imported when their command runs (see program.ts): registering `memory` on
// every start must not load the memory store's code for commands that never touch it.
const read = () => import("./memory-read.js");
const approvals = () => import("./memory-approvals.js");

/** Exit codes as program.ts defines them (a failed write or decision exits 1). */
const FAILED = 1;

/** Adds the partition flags (`--tenant` required by the command, the rest narrowing it). */
function withScope(command: Command, tenant = "the tenant whose memory (required)"): Command {
  return command
    .option("--tenant <id>", tenant)
    .option("--agent <id>", "narrow to one agent's partition")
    .option("--user <id>", "narrow to one user's partition")
    .option("--thread <id>", "narrow to one thread's partition");
}

/**
 * `governor memory …`: read, retract and approve structured facts from the terminal. The CLI
 * acts as the operator (GOVERNOR_OPERATOR, else the OS user) holding memory:admin, and every
 * read refusal and write is in the audit journal under that name.
 */
export function registerMemoryCommands(
  program: Command,
  terminal: Terminal,
  state: { exitCode: number },
  shared: { dir: Option; config: Option },
): void {
  const memory = program
    .command("memory")
    .description(
      `structured facts: list, history, as-of, forget, and writes waiting for approval (as the operator, with ${OPERATOR_MEMORY_SCOPE})`,
    );

  withScope(memory.command("list").description("the facts true now in a partition, one per key"))
    .option("--all", "every record, superseded and retracted ones too, with its status")
    .option("--json", "print JSON")
    .addOption(shared.dir)
    .action(async (options) => (await read()).memoryListCommand(terminal, options));

  withScope(
    memory
      .command("history")
      .description("every record in the order written: status, world and system time, superseded-by"),
  )
    .option("--entity <name>", "only this entity")
    .option("--attribute <name>", "only this attribute")
    .option("--json", "print JSON")
    .addOption(shared.dir)
    .action(async (options) => (await read()).memoryHistoryCommand(terminal, options));

  withScope(
    memory
      .command("as-of")
      .description("what was true at --valid-at, as known at --known-at (give one or both)"),
  )
    .option("--valid-at <iso>", "world time: what was true then")
    .option("--known-at <iso>", "system time: what Governor knew then (default: now)")
    .option("--json", "print JSON")
    .addOption(shared.dir)
    .action(async (options) => (await read()).memoryAsOfCommand(terminal, options));

  withScope(
    memory
      .command("forget")
      .description(
        "retract a key's current fact: recorded and audited as a DELETE, not a hard delete (the record stays, closed)",
      ),
  )
    .option("--entity <name>", "the fact's entity (required)")
    .option("--attribute <name>", "the fact's attribute (required)")
    .option("--reason <text>", "why, kept with the retraction (required)")
    .option("--by <name>", "who retracts it, as the fact's authority names people (required)")
    .option("--weight <n>", "their authority, 0-100 (default 0: a weighted fact waits for approval)")
    .option("--valid-from <iso>", "when it stopped being true in the world (default: now)")
    .option("--json", "print JSON")
    .addOption(shared.dir)
    .action(async (options) => {
      const { memoryForgetCommand } = await import("./memory-forget.js");
      const event = await memoryForgetCommand(terminal, options);
      if (event.status === "refused" || event.event === "NONE") state.exitCode = FAILED;
    });

  withScope(
    memory
      .command("pending")
      .description("memory writes waiting for an approval (every partition by default)"),
    "only this partition (the tenant's own, or narrowed by the flags below)",
  )
    .option("--json", "print JSON")
    .addOption(shared.dir)
    .action(async (options) => (await approvals()).memoryPendingCommand(terminal, options));

  for (const decision of ["approve", "reject"] as const) {
    memory
      .command(decision)
      .description(`${decision} a memory write waiting for approval: a signed decision, used once`)
      .option("--request <id>", "the request decided (see governor memory pending)")
      .option("--approver <id>", "who decides (default: $GOVERNOR_APPROVER or the OS user)")
      .option("--reason <text>", "why, for the audit journal")
      .option(
        "--workflow <name>",
        "for a write proposed outside any run: the sample or registered workflow whose approvers decide",
      )
      .option("--json", "print JSON")
      .addOption(shared.dir)
      .addOption(shared.config)
      .action(async (options) => {
        const event = await (await approvals()).memoryDecideCommand(terminal, decision, options);
        // A rejection that took is a success; an approval that did not apply is not.
        if (decision === "approve" && event.status !== "applied") state.exitCode = FAILED;
      });
  }
}
