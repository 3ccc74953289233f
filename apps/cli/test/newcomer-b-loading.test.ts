import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore, repoRoot } from "./support/governor-bin.js";

// What a newcomer sees when their module cannot be loaded, validated or drawn: the real
// binary, offline (no OPENAI_API_KEY), one process per command.
const fixtures = fileURLToPath(new URL("./fixtures/newcomer-b", import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const cli = governorOnTempStore();
// A module with a syntax error is written at test time: as a checked-in file the linter would refuse it.
const scratch = mkdtempSync(join(tmpdir(), "governor-newcomer-b-"));
const syntaxError = join(scratch, "syntax-error.ts");
writeFileSync(syntaxError, "export const workflow = {;\n");
afterAll(() => {
  cli.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** One clear line: the code, the user's file, nothing of Governor's insides or the bundler's. */
function expectOneClearLoadError(err: string, file: string) {
  const lines = err.trim().split("\n");
  expect(lines, err).toHaveLength(1);
  expect(lines[0]).toMatch(/^error \[WORKFLOW_LOAD_FAILED\]: /);
  expect(lines[0]).toContain(file);
  for (const leak of ["/dist/", "node_modules", "esbuild", "Transform failed", "    at ", `${file}.js`]) {
    expect(lines[0], `leaks ${leak}`).not.toContain(leak);
  }
}

describe("a module that cannot be loaded is one clear error naming the user's file", () => {
  it.each([
    [
      "validate",
      "/etc/passwd",
      "/etc/passwd",
      /is not a workflow module: pass a TypeScript or JavaScript file/,
    ],
    ["run", "/etc/passwd", "/etc/passwd", /is not a workflow module/],
    ["validate", fixture("not-a-module.json"), fixture("not-a-module.json"), /is not a workflow module/],
    ["validate", fixtures, fixtures, /is a directory: pass the module that exports the workflow/],
    ["graph", fixtures, fixtures, /is a directory/],
    ["validate", fixture("nope.ts"), fixture("nope.ts"), /No file at/],
    ["validate", syntaxError, `${syntaxError}:1:25`, /syntax error: Expected identifier but found ";"/],
    ["validate", fixture("zod-typo.ts"), `${fixture("zod-typo.ts")}:37:32`, /z\.strin is not a function/],
    [
      "run",
      fixture("throws-in-helper.ts"),
      `${fixture("helper-throws.ts")}:3:9`,
      /limits\.json is missing a currency/,
    ],
    [
      "validate",
      fixture("missing-import.ts"),
      fixture("missing-import.ts"),
      /Cannot find module .*no-such-file/,
    ],
    [
      "validate",
      fixture("no-exports.ts"),
      fixture("no-exports.ts"),
      /exports no workflow \(its exports: helper, version\): export it as/,
    ],
    [
      "validate",
      fixture("factory-needs-args.ts"),
      fixture("factory-needs-args.ts"),
      /createBillingWorkflow\(\) takes 1 required argument/,
    ],
    [
      "validate",
      fixture("factory-returns-junk.ts"),
      fixture("factory-returns-junk.ts"),
      /returned an object, not a workflow/,
    ],
    [
      "graph",
      fixture("factory-throws.ts"),
      fixture("factory-throws.ts"),
      /createWorkflow\(\) threw: CRM_URL is not set/,
    ],
    [
      "validate",
      fixture("two-factories.ts"),
      fixture("two-factories.ts"),
      /several workflow factories \(createClaimsWorkflow, createRefundWorkflow\): export the one to run as default/,
    ],
  ])(
    "governor %s %s",
    (command, target, named, message) => {
      const result = cli.governor(command, target);
      expect(result.code, result.err).toBe(1);
      expect(result.out).toBe("");
      expectOneClearLoadError(result.err, named);
      expect(result.err).toMatch(message);
    },
    CLI_TEST_MS,
  );
});

describe("validate", () => {
  it(
    "reports a node-kind typo once, naming the node and the allowed kinds",
    () => {
      const result = cli.governor("validate", fixture("kind-typo.ts"));
      expect(result.code).toBe(1);
      expect(result.err.trim().split("\n")).toEqual([
        '✗ workflow "refund" has 1 problem:',
        '  [WORKFLOW_INVALID] nodes.gate.kind: unknown node kind "gaet"; use one of model, agent, task, precondition, gate, approval, action, route, memory-read, memory-write',
      ]);
    },
    CLI_TEST_MS,
  );

  it(
    "refuses a tool whose input schema is not an object",
    () => {
      const result = cli.governor("validate", fixture("object-free-tool.ts"));
      expect(result.code).toBe(1);
      expect(result.err).toContain(
        '[WORKFLOW_INVALID] tools[1].input: tool "lookup_order" takes a zod string as input',
      );
    },
    CLI_TEST_MS,
  );

  it.each([
    [
      "the refund sample's module, which exports a factory",
      join(repoRoot, "graphs/refund/src/workflow.ts"),
      "refund",
      8,
    ],
    ["an async factory", fixture("factory-async.ts"), "refund", 5],
  ])(
    "accepts %s",
    (_what, target, name, nodes) => {
      const result = cli.governor("validate", target);
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(result.out).toContain(`✓ workflow "${name}" is valid (${nodes} nodes`);
    },
    CLI_TEST_MS,
  );
});

describe("graph needs no model", () => {
  it.each([
    [
      "the README's workflow (a model step, no scenario)",
      join(repoRoot, "apps/cli/test/fixtures/readme-workflow.ts"),
      "propose",
    ],
    [
      "a workflow that routes between named models",
      join(repoRoot, "graphs/supply-chain/src/workflow.ts"),
      "diagnostic",
    ],
  ])(
    "draws %s without OPENAI_API_KEY",
    (_what, target, node) => {
      const result = cli.governor("graph", target);
      expect(result.err).toBe("");
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/^%%\{init/);
      expect(result.out).toContain(`${node}(${node}`);
    },
    CLI_TEST_MS,
  );
});
