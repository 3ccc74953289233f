import { GovernorError } from "@governor/errors";
import type { Argument, Command, Option } from "commander";

/**
 * Refuses, for every command of `program`, the values no command can mean:
 *
 * - an empty or blank value, for any option that takes one and any argument
 *   (`approve ""`, `--approver ""`, `kill --agent ""`, `audit show ""`, `--dir " "`). An empty
 *   id used to match nothing or everything: `audit show ""` printed every thread, `unkill
 *   --agent ""` released the global switch.
 * - a single-valued option given twice (`--approver a --approver b`): commander keeps the
 *   last, so the audit journal named someone the typist may not have meant.
 *
 * One walk over the finished program, so a command added later is covered without a check of
 * its own. Each option's own parser (if any) still runs after these checks.
 *
 * @throws {GovernorError} CONFIG_INVALID from parsing, naming the option or argument and the command.
 */
export function refuseOddValues(program: Command): void {
  // One Option object may serve several commands (--dir, --config): guard it once, and
  // name the command only when the option belongs to one.
  const owners = new Map<Option, Command[]>();
  for (const command of allCommands(program)) {
    for (const option of command.options) owners.set(option, [...(owners.get(option) ?? []), command]);
  }
  for (const [option, commands] of owners)
    guardOption(option, commands.length === 1 ? commands[0] : undefined);
  for (const command of allCommands(program)) {
    for (const argument of command.registeredArguments) guardArgument(command, argument);
  }
}

function guardOption(option: Option, command: Command | undefined): void {
  // Boolean flags (`--json`, `--no-interactive`) carry no value: repeating one changes nothing.
  if (!option.required && !option.optional) return;
  const flag = option.long ?? option.flags;
  const inner = option.parseArg;
  let given = false;
  option.argParser((value: string, previous: unknown) => {
    if (given && !option.variadic) {
      throw new GovernorError(
        "CONFIG_INVALID",
        `${flag} was given twice${command ? ` (${commandPath(command)})` : ""}: give it once; nothing was done`,
        { option: flag },
      );
    }
    given = true;
    refuseBlank(value, flag, command, !option.mandatory);
    if (inner) return inner(value, previous);
    return option.variadic ? [...(Array.isArray(previous) ? previous : []), value] : value;
  });
}

function guardArgument(command: Command, argument: Argument): void {
  const name = `<${argument.name()}>`;
  const inner = argument.parseArg;
  argument.argParser((value: string, previous: unknown) => {
    refuseBlank(value, name, command, !argument.required);
    if (inner) return inner(value, previous);
    // A variadic argument's parser folds its values (commander starts from the default).
    return argument.variadic ? [...(Array.isArray(previous) ? previous : []), value] : value;
  });
}

function refuseBlank(value: string, name: string, command: Command | undefined, optional: boolean): void {
  if (value.trim()) return;
  // A shared option cannot know which command parses it; the typist does.
  const where = command ? ` (${commandPath(command)})` : "";
  throw new GovernorError(
    "CONFIG_INVALID",
    `${name} is ${value ? "blank" : "empty"}${where}: give a value${optional ? `, or leave ${name} out` : ""}; nothing was done`,
    { [name.startsWith("--") ? "option" : "argument"]: name },
  );
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(" ");
}

function* allCommands(command: Command): Generator<Command> {
  yield command;
  for (const sub of command.commands) yield* allCommands(sub);
}

/**
 * Who decides: `--approver`, else GOVERNOR_APPROVER, else the OS user. A blank
 * GOVERNOR_APPROVER is refused like a blank `--approver`, not signed as an empty name.
 *
 * @throws {GovernorError} CONFIG_INVALID when GOVERNOR_APPROVER is set but blank.
 */
export function approverOf(given: string | undefined, fallback: () => string): string {
  if (given !== undefined) return given;
  if (process.env.GOVERNOR_APPROVER !== undefined && !process.env.GOVERNOR_APPROVER.trim()) {
    throw new GovernorError(
      "CONFIG_INVALID",
      "GOVERNOR_APPROVER is set but blank: set it to the approver's id, or pass --approver ID; nothing was done",
      { variable: "GOVERNOR_APPROVER" },
    );
  }
  return fallback();
}
