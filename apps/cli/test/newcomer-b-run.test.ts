import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, COMMAND_TIMEOUT_MS, governorOnTempStore, repoRoot } from "./support/governor-bin.js";

// `governor run`'s input and its summary, as a newcomer meets them: the real binary, offline.
const readmeSample = fileURLToPath(new URL("./fixtures/newcomer-b/readme-sample.ts", import.meta.url));
const cli = governorOnTempStore();
const scratch = mkdtempSync(join(tmpdir(), "governor-newcomer-b-run-"));
afterAll(() => {
  cli.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** The binary with `stdin` piped in (governorOnTempStore's helper gives it none). */
function governorWithStdin(stdin: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, GOVERNOR_DIR: cli.dir, NO_COLOR: "1", CI: "true" };
  delete env.OPENAI_API_KEY;
  const result = spawnSync(process.execPath, [join(repoRoot, "apps/cli/bin/governor.js"), ...args], {
    cwd: repoRoot,
    env,
    input: stdin,
    encoding: "utf8",
    timeout: COMMAND_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`governor ${args.join(" ")} did not finish: ${result.error.message}`);
  return { code: result.status, out: result.stdout, err: result.stderr };
}

/** The refund sample's first case, with a request of about `bytes` bytes. */
function largeInput(bytes: number): string {
  return JSON.stringify({
    customerId: "C-100",
    orderId: "A-1001",
    request: `My lamp arrived cracked. Please refund $120. ${"x".repeat(bytes)}`,
  });
}

function inputFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

describe("governor run --input", () => {
  it(
    "takes a 1 MB input from a file (@file.json) and runs it to the refund",
    () => {
      const result = cli.governor(
        "run",
        "refund",
        "--input",
        `@${inputFile("large.json", largeInput(1_000_000))}`,
      );
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(result.out).toContain("✓ completed · issue_refund executed");
    },
    CLI_TEST_MS,
  );

  it(
    "takes a 1 MB input from stdin (-)",
    () => {
      const result = governorWithStdin(largeInput(1_000_000), "run", "refund", "--input", "-");
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(result.out).toContain("✓ completed · issue_refund executed");
    },
    CLI_TEST_MS,
  );

  it(
    "takes a 100 KB input inline",
    () => {
      const result = cli.governor("run", "refund", "--input", largeInput(100_000));
      expect(result.code, result.err).toBe(0);
      expect(result.out).toContain("✓ completed · issue_refund executed");
    },
    CLI_TEST_MS,
  );

  it.each([
    ["blank", () => [" "], /INPUT_INVALID|CONFIG_INVALID/, /--input/],
    ["@ with no file", () => ["@"], /INPUT_INVALID/, /--input @ names no file/],
    ["a missing file", () => [`@${join(scratch, "nope.json")}`], /INPUT_INVALID/, /no file at .*nope\.json/],
    ["a directory", () => [`@${scratch}`], /INPUT_INVALID/, /is not a file/],
    ["an empty file", () => [`@${inputFile("empty.json", "")}`], /INPUT_INVALID/, /empty\.json is empty/],
    ["not JSON", () => ["{customerId: C-1}"], /INPUT_INVALID/, /--input is not JSON/],
    ["a JSON array", () => ["[1,2]"], /INPUT_INVALID/, /--input is an array: a run's input is a JSON object/],
    ["JSON null", () => ["null"], /INPUT_INVALID/, /--input is null/],
    ["a JSON string", () => ['"refund"'], /INPUT_INVALID/, /--input is a string/],
    [
      "a file of JSON that is a number",
      () => [`@${inputFile("n.json", "42")}`],
      /INPUT_INVALID/,
      /is a number/,
    ],
  ])(
    "refuses %s, naming --input, and runs nothing",
    (_what, args, code, message) => {
      const result = cli.governor("run", "refund", "--input", ...args());
      expect(result.code).toBe(1);
      expect(result.out).not.toContain("thread");
      expect(result.err).toMatch(code);
      expect(result.err).toMatch(message);
    },
    CLI_TEST_MS,
  );

  it.each([
    ["empty", "", /the input on stdin is empty/],
    ["not JSON", "{", /the input on stdin is not JSON/],
    ["an array", "[]", /the input on stdin is an array/],
  ])(
    "refuses stdin that is %s",
    (_what, stdin, message) => {
      const result = governorWithStdin(stdin, "run", "refund", "--input", "-");
      expect(result.code).toBe(1);
      expect(result.out).not.toContain("thread");
      expect(result.err).toMatch(message);
    },
    CLI_TEST_MS,
  );
});

describe("governor run options that were silently ignored", () => {
  it.each([
    ["an empty --case", ["--case", ""], /--case/],
    ["an empty --thread", ["--case", "small-refund", "--thread", ""], /--thread/],
    [
      "--case with --input",
      ["--case", "small-refund", "--input", "{}"],
      /--case small-refund and --input both say what to run/,
    ],
    [
      "--thread over several cases",
      ["--thread", "t-1"],
      /--thread names one run, but "refund" would play 5 cases/,
    ],
  ])(
    "refuses %s",
    (_what, args, message) => {
      const result = cli.governor("run", "refund", ...args);
      expect(result.code).toBe(1);
      expect(result.out).not.toContain("thread ");
      expect(result.err).toMatch(/CONFIG_INVALID/);
      expect(result.err).toMatch(message);
    },
    CLI_TEST_MS,
  );

  it(
    "still takes --thread with --case",
    () => {
      const result = cli.governor("run", "refund", "--case", "small-refund", "--thread", "newcomer-thread-1");
      expect(result.code, result.err).toBe(0);
      expect(result.out).toContain("thread newcomer-thread-1");
    },
    CLI_TEST_MS,
  );
});

describe("governor run --help", () => {
  it(
    "with a target lists the fields --input takes, with types and whether each is required",
    () => {
      const result = cli.governor("run", "refund", "--help");
      expect(result.code).toBe(0);
      expect(result.out).toContain("Usage: governor run [options] [target]");
      expect(result.out).toContain("--input @input.json");
      expect(result.out).toMatch(/Input of workflow "refund": --input takes a JSON object/);
      expect(result.out).toMatch(/^ {2}customerId +string +required$/m);
      expect(result.out).toMatch(/^ {2}reply +string +optional$/m);
      expect(result.out).toMatch(/For example: --input '\{"customerId":"C-100"/);
    },
    CLI_TEST_MS,
  );

  it(
    "without a target shows the usage and examples, and a missing target is still a usage error",
    () => {
      const help = cli.governor("run", "--help");
      expect(help.code).toBe(0);
      expect(help.out).toContain("governor run refund --help");
      const missing = cli.governor("run");
      expect(missing.code).toBe(2);
      expect(missing.err).toContain("missing required argument 'target'");
    },
    CLI_TEST_MS,
  );
});

describe("the run summary reports the governed action, not the model's last words", () => {
  it(
    "with the README's workflow: a failed precondition is not a success, an executed refund is",
    () => {
      const failed = cli.governor("run", readmeSample, "--case", "over-total");
      expect(failed.code, failed.err).toBe(0);
      expect(failed.out).not.toContain("✓ completed");
      expect(failed.out).toContain(
        '■ completed, but no governed action was taken · issue_refund precondition failed (more than the order total) · final answer: "Paying."',
      );
      const paid = cli.governor("run", readmeSample, "--case", "small");
      expect(paid.out).toContain('✓ completed · issue_refund executed · final answer: "Paying."');
    },
    CLI_TEST_MS,
  );

  it(
    "says which refusal stopped each refund sample case: policy, identity, contract",
    () => {
      const result = cli.governor("run", "refund");
      expect(result.code, result.err).toBe(0);
      expect(result.out.match(/✓ completed/g)).toHaveLength(1);
      expect(result.out).toContain(
        "■ completed, but no governed action was taken · issue_refund denied by policy",
      );
      expect(result.out).toContain("■ completed, but no governed action was taken · issue_refund refused");
      expect(result.out).toContain(
        "■ completed, but no governed action was taken · issue_refund precondition failed (Arguments for issue_refund were refused",
      );
    },
    CLI_TEST_MS,
  );

  it(
    "after a rejection answered from another process",
    () => {
      const config = inputFile(
        "governor.config.json",
        JSON.stringify({ workflows: { readme: readmeSample } }),
      );
      const waiting = cli.governor(
        "run",
        "readme",
        "--case",
        "large",
        "--config",
        config,
        "--no-interactive",
      );
      const thread = waiting.out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";
      expect(waiting.out).toContain("⏸ waiting for approval");
      const rejected = cli.governor(
        "reject",
        thread,
        "--approver",
        "supervisor:sam",
        "--reason",
        "no proof",
        "--config",
        config,
      );
      expect(rejected.code, rejected.err).toBe(0);
      expect(rejected.out).toContain(
        "■ completed, but no governed action was taken after it resumed · issue_refund rejected (by supervisor:sam)",
      );
    },
    CLI_TEST_MS,
  );
});
