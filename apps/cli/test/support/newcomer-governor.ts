import { type SpawnSyncOptions, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMAND_TIMEOUT_MS, type GovernorResult, repoRoot } from "./governor-bin.js";

const bin = join(repoRoot, "apps/cli/bin/governor.js");

/**
 * The real `governor` binary in a scratch working directory, with the environment given
 * exactly (GOVERNOR_DIR is not set unless passed): for the tests of what a newcomer types,
 * where the working directory and the store's location are what is being tested.
 * `spawn` adds spawn options (a uid, to run as an unprivileged user).
 */
export function newcomerGovernor() {
  const cwd = mkdtempSync(join(tmpdir(), "governor-newcomer-"));
  const governor = (
    args: readonly string[],
    env: Record<string, string> = {},
    spawn: SpawnSyncOptions = {},
  ): GovernorResult => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "true", ...env };
    for (const name of ["OPENAI_API_KEY", "DATABASE_URL", "REDIS_URL", "GOVERNOR_APPROVER"])
      delete childEnv[name];
    if (!("GOVERNOR_DIR" in env)) delete childEnv.GOVERNOR_DIR;
    const result = spawnSync(process.execPath, [bin, ...args], {
      cwd,
      env: childEnv,
      encoding: "utf8",
      timeout: COMMAND_TIMEOUT_MS,
      ...spawn,
    });
    // A command the timeout killed (the /proc hang) says so, rather than passing for an exit code.
    if (result.error) throw new Error(`governor ${args.join(" ")} did not finish: ${result.error.message}`);
    return { code: result.status, out: String(result.stdout), err: String(result.stderr) };
  };
  return { cwd, governor, dispose: () => rmSync(cwd, { recursive: true, force: true }) };
}
