import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: where a user runs `npx governor`. */
export const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const bin = join(repoRoot, "apps/cli/bin/governor.js");

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
      timeout: 60_000,
    });
    return { code: result.status, out: result.stdout, err: result.stderr };
  };
  return { dir, governor, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
