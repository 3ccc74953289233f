import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { COMMAND_TIMEOUT_MS, repoRoot } from "./support/governor-bin.js";

// `governor init` from a temp dir outside the repository, then the project it wrote, run as a
// user would: the real binary, and vitest inside the project. The project depends on the
// workspace packages by name; here its node_modules is the repository's (a user gets them
// from npm install).
const scratch = mkdtempSync(join(tmpdir(), "governor-init-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const SLOW_MS = 600_000;

/** A command in `cwd`, offline, with no store or config named: the project's own are found. */
function inDir(cwd: string, command: string[], timeout = COMMAND_TIMEOUT_MS) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", CI: "true" };
  for (const key of Object.keys(env)) {
    if (key.startsWith("VITEST") || key.startsWith("GOVERNOR_") || key === "OPENAI_API_KEY") delete env[key];
  }
  const result = spawnSync(process.execPath, command, { cwd, env, encoding: "utf8", timeout });
  if (result.error) throw new Error(`${command.join(" ")} did not finish: ${result.error.message}`);
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const governor = (cwd: string, ...args: string[]) =>
  inDir(cwd, [join(repoRoot, "apps/cli/bin/governor.js"), ...args]);

describe("governor init", () => {
  it(
    "writes a project that runs offline at once: by path, by its registered name, and its test",
    () => {
      const init = governor(scratch, "init", "expense-desk");
      expect(init.err).toBe("");
      expect(init.code).toBe(0);
      const project = join(scratch, "expense-desk");
      for (const file of [
        ".gitignore",
        "README.md",
        "governor.config.json",
        "package.json",
        "policies/expenses.cedar",
        "policies/expenses.cedarschema",
        "src/scenario.ts",
        "src/tools.ts",
        "src/workflow.ts",
        "test/workflow.test.ts",
      ]) {
        expect(init.out).toContain(`  ${file}\n`);
        expect(existsSync(join(project, file)), file).toBe(true);
      }
      expect(readFileSync(join(project, "src/workflow.ts"), "utf8")).toContain('name: "expense-desk"');
      expect(JSON.parse(readFileSync(join(project, "governor.config.json"), "utf8"))).toEqual({
        workflows: { "expense-desk": "./src/workflow.ts" },
      });
      symlinkSync(join(repoRoot, "node_modules"), join(project, "node_modules"), "dir");

      const validated = governor(project, "validate", "./src/workflow.ts");
      expect(validated.out).toContain('✓ workflow "expense-desk" is valid');

      const run = governor(project, "run", "./src/workflow.ts", "--no-interactive");
      expect(run.err).toBe("");
      expect(run.code).toBe(0);
      expect(run.out).toContain("✓ completed · pay_expense executed");
      expect(run.out).toContain("⏸ waiting for approval");
      expect(run.out).toContain("pay_expense precondition failed ($450 is more than the receipt's $45)");
      expect(run.out).toContain("pay_expense denied by policy (suspended employees are not reimbursed");
      expect(run.out).toContain(`store: ${join(project, ".governor")}`);

      // Registered in its governor.config.json: runs by name, and its approvals are answered from another process.
      const byName = governor(project, "run", "expense-desk", "--case", "conference", "--no-interactive");
      const thread = byName.out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";
      expect(byName.out).toContain("⏸ waiting for approval");
      const approved = governor(
        project,
        "approve",
        thread,
        "--approver",
        "finance:kim",
        "--reason",
        "receipt checked",
      );
      expect(approved.code, approved.err).toBe(0);
      expect(approved.out).toContain("✓ completed · pay_expense executed");

      const tested = inDir(project, [join(repoRoot, "node_modules/vitest/vitest.mjs"), "run"], SLOW_MS);
      expect(tested.code, tested.out + tested.err).toBe(0);
      expect(tested.out).toMatch(/Tests +4 passed \(4\)/);
    },
    SLOW_MS,
  );

  it(
    "writes into the current directory when it is empty",
    () => {
      const empty = join(scratch, "empty");
      mkdirSync(empty);
      const init = governor(empty, "init");
      expect(init.code, init.err).toBe(0);
      expect(init.out).toContain('✓ created the governed workflow "empty" in .');
      expect(existsSync(join(empty, "src/workflow.ts"))).toBe(true);
    },
    SLOW_MS,
  );

  it.each([
    [
      "a directory with a file",
      (dir: string) => writeFileSync(join(dir, "notes.txt"), "mine"),
      /is not empty \(notes\.txt\)/,
    ],
    [
      "a directory with only a hidden entry",
      (dir: string) => mkdirSync(join(dir, ".git")),
      /is not empty \(\.git\)/,
    ],
  ])(
    "refuses %s and writes nothing",
    (_what, fill, message) => {
      const dir = mkdtempSync(join(scratch, "taken-"));
      fill(dir);
      const before = readdirSync(dir, { recursive: true });
      const init = governor(scratch, "init", dir);
      expect(init.code).toBe(1);
      expect(init.err).toMatch(/^error \[CONFIG_INVALID\]: /);
      expect(init.err).toMatch(message);
      expect(init.err).toContain("nothing was written");
      expect(readdirSync(dir, { recursive: true })).toEqual(before);
    },
    SLOW_MS,
  );

  it(
    "refuses a file",
    () => {
      const file = join(scratch, "a-file.ts");
      writeFileSync(file, "export {};\n");
      const init = governor(scratch, "init", file);
      expect(init.code).toBe(1);
      expect(init.err).toContain(`${file} is a file: governor init writes a new project into a directory`);
      expect(readFileSync(file, "utf8")).toBe("export {};\n");
    },
    SLOW_MS,
  );
});
