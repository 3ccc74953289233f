import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore } from "./support/governor-bin.js";

// Empty, blank, repeated and unknown values a newcomer types, against a store where a run
// waits for approval: each is refused (exit 1, CONFIG_INVALID or IDENTITY_UNKNOWN naming the
// value) and changes nothing. The real binary, one process per command.
const cli = governorOnTempStore({ GOVERNOR_OPERATOR: "ops:test" });
const governor = cli.governor;
const WAITING = "newcomer-values-waiting";
afterAll(() => cli.dispose());

beforeAll(() => {
  const ran = governor("run", "refund", "--case", "large-refund", "--thread", WAITING, "--no-interactive");
  expect(ran.out).toContain(`waiting for approval · thread ${WAITING}`);
}, CLI_TEST_MS);

function auditKinds(): string[] {
  return JSON.parse(governor("audit", "show", WAITING, "--json").out).map(
    (record: { kind: string; outcome: string }) => `${record.kind}:${record.outcome}`,
  );
}

function expectRefused(args: string[], message: RegExp | string): void {
  const result = governor(...args);
  expect(result.code, `governor ${args.map((a) => JSON.stringify(a)).join(" ")}`).toBe(1);
  if (typeof message === "string") expect(result.err).toContain(message);
  else expect(result.err).toMatch(message);
  expect(result.err).not.toMatch(/\n\s+at /);
}

describe("empty and blank values", () => {
  it(
    "an empty or blank thread, approver, agent, reason or request is refused before anything is read or written",
    () => {
      const before = auditKinds();
      // The same walk guards every option and argument: one of each kind, empty and blank.
      expectRefused(["audit", "show", ""], "error [CONFIG_INVALID]: <thread> is empty (governor audit show)");
      expectRefused(["approve", "", "--approver", "supervisor:sam"], "<thread> is empty (governor approve)");
      expectRefused(["reject", "  "], "<thread> is blank (governor reject)");
      expectRefused(["runs", "show", "\t"], "<thread> is blank (governor runs show)");
      expectRefused(["approve", WAITING, "--approver", ""], "--approver is empty (governor approve)");
      expectRefused(["reject", WAITING, "--approver", " "], "--approver is blank (governor reject)");
      expectRefused(
        ["approve", WAITING, "--approver", "supervisor:sam", "--request", ""],
        "--request is empty",
      );
      expectRefused(["kill", "--agent", "", "--reason", "drill"], "--agent is empty (governor kill)");
      expectRefused(["kill", "--reason", " "], "--reason is blank (governor kill)");
      expect(auditKinds()).toEqual(before);
      expect(JSON.parse(governor("status", "--json").out).killSwitches).toEqual([]);
    },
    CLI_TEST_MS,
  );

  it(
    "unkill --agent with an empty or blank id never releases the global switch",
    () => {
      expect(governor("kill", "--reason", "drill").code).toBe(0);
      expectRefused(["unkill", "--agent", ""], "--agent is empty (governor unkill)");
      expect(JSON.parse(governor("status", "--json").out).killSwitches).toEqual([
        expect.objectContaining({ scope: "global", reason: "drill" }),
      ]);
      expect(governor("unkill").code).toBe(0);
    },
    CLI_TEST_MS,
  );

  it(
    "a blank GOVERNOR_APPROVER is refused, not signed as an empty name",
    () => {
      for (const value of [" "]) {
        const withEnv = governorWithEnv({ GOVERNOR_APPROVER: value }, "approve", WAITING);
        expect(withEnv.code).toBe(1);
        expect(withEnv.err).toContain("error [CONFIG_INVALID]: GOVERNOR_APPROVER is set but blank");
      }
      expect(auditKinds()).not.toContain("approval:approved");
    },
    CLI_TEST_MS,
  );
});

describe("repeated and unknown values", () => {
  it(
    "a single-valued option given twice is refused, whichever command and option",
    () => {
      const before = auditKinds();
      expectRefused(
        ["approve", WAITING, "--approver", "bob", "--approver", "supervisor:sam"],
        "error [CONFIG_INVALID]: --approver was given twice (governor approve)",
      );
      expectRefused(
        ["reject", WAITING, "--approver", "supervisor:sam", "--reason", "a", "--reason", "b"],
        "--reason was given twice (governor reject)",
      );
      expectRefused(
        ["kill", "--reason", "a", "--agent", "support", "--agent", "claims-agent"],
        "--agent was given twice",
      );
      expectRefused(
        ["status", "--dir", cli.dir, "--dir", cli.dir],
        "error [CONFIG_INVALID]: --dir was given twice: give it once",
      );
      expectRefused(
        ["budget", WAITING, "--extend-tokens", "1", "--extend-tokens", "2"],
        "--extend-tokens was given twice",
      );
      expect(auditKinds()).toEqual(before);
      // A flag without a value (--json) changes nothing when repeated, and is not refused.
      expect(governor("status", "--json", "--json").code).toBe(0);
    },
    CLI_TEST_MS,
  );

  it(
    "kill needs a reason, and refuses an agent no workflow has, listing the known agents",
    () => {
      expectRefused(["kill"], 'error [CONFIG_INVALID]: governor kill needs --reason "…"');
      expectRefused(["kill", "--agent", "support"], "governor kill needs --reason");
      for (const agent of ["💥", "agent:support"]) {
        const result = governor("kill", "--agent", agent, "--reason", "drill");
        expect(result.code, agent).toBe(1);
        expect(result.err).toMatch(
          /^error \[IDENTITY_UNKNOWN\]: No registered workflow or recorded run has agent/,
        );
        expect(result.err).toContain("nothing was engaged");
        expect(result.err).toContain("support (refund, support-agent");
        expect(result.err).toContain("claims-agent (claims)");
      }
      expect(JSON.parse(governor("status", "--json").out).killSwitches).toEqual([]);
      // A sample's agent, in any case or spacing, is known.
      expect(governor("kill", "--agent", " Claims-Agent ", "--reason", "drill").out).toContain(
        "kill switch engaged (agent:claims-agent): drill",
      );
      expect(governor("unkill", "--agent", "claims-agent").code).toBe(0);
    },
    CLI_TEST_MS,
  );
});

function governorWithEnv(env: Record<string, string>, ...args: string[]) {
  return governorOnTempStoreEnv(env)(...args);
}

/** The same store, with extra variables for one command. */
function governorOnTempStoreEnv(env: Record<string, string>) {
  const other = governorOnTempStore({ GOVERNOR_DIR: cli.dir, ...env });
  return (...args: string[]) => {
    try {
      return other.governor(...args);
    } finally {
      // Only the scratch directory governorOnTempStore made is removed, never the shared store.
      other.dispose();
    }
  };
}
