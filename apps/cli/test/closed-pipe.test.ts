import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, COMMAND_TIMEOUT_MS, governorOnTempStore, repoRoot } from "./support/governor-bin.js";

let store: ReturnType<typeof governorOnTempStore>;
beforeAll(() => {
  store = governorOnTempStore();
  expect(store.governor("run", "refund", "--no-interactive").code).toBe(0);
}, CLI_TEST_MS);
afterAll(() => store.dispose());

/** Runs governor with no one reading its output: the pipe is closed at once, as `| head -1` leaves it once it has its line. */
function withReaderGone(args: string[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, "apps/cli/bin/governor.js"), ...args], {
      cwd: repoRoot,
      env: { ...process.env, GOVERNOR_DIR: store.dir, NO_COLOR: "1", CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`governor ${args.join(" ")} did not end after its reader left`));
    }, COMMAND_TIMEOUT_MS);
    child.stderr.on("data", (chunk) => {
      err += chunk;
    });
    child.stdout.destroy();
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, err });
    });
  });
}

describe("a reader that leaves early (governor … | head)", () => {
  it(
    "ends the command quietly: no EPIPE stack trace",
    async () => {
      const result = await withReaderGone([
        "audit",
        "show",
        "--json",
        store.governor("runs", "--json").out.match(/"threadId": ?"([^"]+)"/)?.[1] ?? "",
      ]);
      expect(result.err).not.toContain("EPIPE");
      expect(result.err).not.toContain("at ");
      expect(result.code).toBe(0);
    },
    CLI_TEST_MS,
  );
});
