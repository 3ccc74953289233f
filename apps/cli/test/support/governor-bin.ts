import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: where a user runs `npx governor`. */
export const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const bin = join(repoRoot, "apps/cli/bin/governor.js");

/**
 * How long one `governor` command may take. Generous: on a loaded two-core machine loading
 * the CLI, the samples and Cedar's wasm has taken tens of seconds; slow is not wrong.
 */
export const COMMAND_TIMEOUT_MS = 120_000;

/** Per-test timeout for a test that runs a few `governor` commands (each one a process). */
export const CLI_TEST_MS = 240_000;

export interface GovernorResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/**
 * The real `governor` binary on a fresh store, one process per command, as a user runs it
 * (a run started by one process is answered by another). Offline: OPENAI_API_KEY is
 * removed, so samples use their scripted model. Needs the build (npm test builds first).
 */
export function governorOnTempStore(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "governor-cli-"));
  const governor = (...args: string[]): GovernorResult => {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      GOVERNOR_DIR: dir,
      NO_COLOR: "1",
      CI: "true",
      ...env,
    };
    delete childEnv.OPENAI_API_KEY;
    const result = spawnSync(process.execPath, [bin, ...args], {
      cwd: repoRoot,
      env: childEnv,
      encoding: "utf8",
      timeout: COMMAND_TIMEOUT_MS,
    });
    // A command the timeout killed says so, rather than failing a test as a wrong exit code.
    if (result.error) throw new Error(`governor ${args.join(" ")} did not finish: ${result.error.message}`);
    return { code: result.status, out: result.stdout, err: result.stderr };
  };
  return { dir, governor, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
