import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { GovernorError } from "@governor/core";

/** The file `governor` reads, in the working directory, when neither --config nor GOVERNOR_CONFIG names one. */
export const CONFIG_FILE = "governor.config.json";

/**
 * The workflows the operator registered, by name, each with the module that defines it.
 *
 * This is the only list of modules `governor` will import for a run it did not start
 * itself (approve, reject, recover, budget): a run record names one of these (or a
 * sample), never a path to import, so whoever can start a run cannot choose what code
 * runs in the approver's process.
 */
export interface WorkflowConfig {
  /** The config file, absolute; undefined when there is none. */
  readonly file?: string;
  /** Registered name → absolute module path. */
  readonly workflows: ReadonlyMap<string, string>;
}

/** Registered names: what a run record may carry after `workflow:`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Reads the operator's workflow config: `explicit` (the --config flag), else
 * GOVERNOR_CONFIG, else `governor.config.json` in the working directory when it exists.
 *
 * ```json
 * { "workflows": { "billing": "./workflows/billing.ts" } }
 * ```
 * Module paths are relative to the config file.
 *
 * @throws {GovernorError} CONFIG_INVALID when a named config file is missing, is not JSON,
 *   or has a malformed `workflows` map.
 */
export function readWorkflowConfig(
  explicit?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): WorkflowConfig {
  const named = explicit ?? env.GOVERNOR_CONFIG;
  const file = resolve(named ?? CONFIG_FILE);
  if (!existsSync(file)) {
    if (named === undefined) return { workflows: new Map() };
    throw new GovernorError(
      "CONFIG_INVALID",
      `No workflow config at ${file} (from ${configOrigin(explicit)})`,
      {
        file,
      },
    );
  }
  if (!statSync(file).isFile()) {
    throw new GovernorError("CONFIG_INVALID", `Workflow config ${file} is not a file`, { file });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Workflow config ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      { file },
    );
  }
  return { file, workflows: parseWorkflows(raw, file) };
}

function configOrigin(explicit: string | undefined): string {
  return explicit === undefined ? "GOVERNOR_CONFIG" : "--config";
}

function parseWorkflows(raw: unknown, file: string): Map<string, string> {
  const invalid = (where: string, what: string) =>
    new GovernorError("CONFIG_INVALID", `Workflow config ${file}: ${where} ${what}`, { file, where });
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw invalid("(root)", 'must be an object such as { "workflows": { "billing": "./billing.ts" } }');
  const workflows = (raw as { workflows?: unknown }).workflows ?? {};
  if (typeof workflows !== "object" || workflows === null || Array.isArray(workflows))
    throw invalid("workflows", "must map workflow names to module paths");
  const base = dirname(file);
  const entries = new Map<string, string>();
  for (const [name, path] of Object.entries(workflows)) {
    if (!NAME.test(name))
      throw invalid(`workflows.${name}`, "is not a valid name (letters, digits, . _ -; at most 64)");
    if (typeof path !== "string" || !path.trim())
      throw invalid(`workflows.${name}`, "must be a module path relative to the config file");
    entries.set(name, isAbsolute(path) ? path : resolve(base, path));
  }
  return entries;
}

/** A path in one canonical form (symlinks resolved when the file exists), so two spellings of one module compare equal. */
export function canonicalPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

/** The registered name of a module path, when the operator's config lists that module. */
export function registeredNameOf(config: WorkflowConfig, path: string): string | undefined {
  const wanted = canonicalPath(path);
  for (const [name, registered] of config.workflows) {
    if (canonicalPath(registered) === wanted) return name;
  }
  return undefined;
}
