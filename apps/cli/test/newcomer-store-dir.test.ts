import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS } from "./support/governor-bin.js";
import { newcomerGovernor } from "./support/newcomer-governor.js";

// Where the store goes, as a newcomer mistypes it: every bad --dir / GOVERNOR_DIR is one
// clear CONFIG_INVALID or STORE_NOT_FOUND line naming the path, fast, and nothing is written
// anywhere else (least of all the working directory). The real binary, one process each.
const cli = newcomerGovernor();
afterAll(() => cli.dispose());

/** A hang is the bug being fixed: a command that does not end well within this fails the test. */
const FAST = { timeout: 60_000 };
/** Commands that write (may create a store) and commands that must only read one. */
const WRITING = [
  ["kill", "--reason", "drill"],
  ["revoke", "jti-1"],
];
// One of each way a command reads a store (the same check guards them all).
const READING = [
  ["status"],
  ["pending", "--json"],
  ["audit", "verify"],
  ["audit", "show", "t-1"],
  ["runs", "show", "t-1"],
  ["cost"],
  ["memory", "list", "--tenant", "acme"],
  ["approve", "t-1", "--approver", "supervisor:sam"],
  ["budget", "t-1", "--stop"],
];

function expectNothingWrittenIn(dir: string): void {
  expect(readdirSync(dir).filter((name) => !name.startsWith("fixture-"))).toEqual([]);
}

describe("--dir and GOVERNOR_DIR a newcomer gets wrong", () => {
  it(
    "a directory that cannot be created (procfs, sysfs) fails at once, naming the path and the errno",
    () => {
      for (const dir of ["/proc/nope", "/proc/nope/deeper/still", "/sys/nope"]) {
        for (const args of dir === "/proc/nope" ? WRITING : WRITING.slice(0, 1)) {
          const result = cli.governor([...args, "--dir", dir], {}, FAST);
          expect(result.code, `${args.join(" ")} --dir ${dir}`).toBe(1);
          expect(result.err).toMatch(
            new RegExp(
              `^error \\[CONFIG_INVALID\\]: The store directory ${dir} \\(--dir\\) cannot be created \\((ENOENT|EPERM|EACCES|EROFS) at /`,
            ),
          );
          expect(result.err).not.toMatch(/\n\s+at /);
        }
        const viaEnv = cli.governor(["kill", "--reason", "drill"], { GOVERNOR_DIR: dir }, FAST);
        expect(viaEnv.err).toContain(`The store directory ${dir} (GOVERNOR_DIR) cannot be created`);
      }
    },
    CLI_TEST_MS,
  );

  it(
    "a file, or a path under a file, is named as one: no EEXIST/ENOTDIR stack",
    () => {
      const file = join(cli.cwd, "fixture-file");
      writeFileSync(file, "not a directory");
      for (const args of [...WRITING, ["status"]]) {
        const result = cli.governor([...args, "--dir", file], {}, FAST);
        expect(result.code, args.join(" ")).toBe(1);
        expect(result.err).toContain(
          `error [CONFIG_INVALID]: The store directory ${file} (--dir) is a file, not a directory`,
        );
      }
      const under = cli.governor(["kill", "--reason", "drill", "--dir", join(file, "store")], {}, FAST);
      expect(under.err).toContain(`cannot be created: ${file} is a file`);
      expect(`${under.err}`).not.toMatch(/EEXIST|ENOTDIR|\n\s+at /);
    },
    CLI_TEST_MS,
  );

  it(
    "an empty or blank --dir or GOVERNOR_DIR is refused and nothing lands in the working directory",
    () => {
      for (const value of ["", " "]) {
        for (const args of [WRITING[0] ?? [], ["status"]]) {
          const flag = cli.governor([...args, "--dir", value], {}, FAST);
          expect(flag.code, `${args.join(" ")} --dir ${JSON.stringify(value)}`).toBe(1);
          expect(flag.err).toMatch(/^error \[CONFIG_INVALID\]: --dir is (empty|blank)/);
        }
        for (const args of [WRITING[0] ?? [], ["run", "refund", "--case", "small-refund"]]) {
          const env = cli.governor(args, { GOVERNOR_DIR: value }, FAST);
          expect(env.code, `GOVERNOR_DIR=${JSON.stringify(value)} ${args.join(" ")}`).toBe(1);
          expect(env.err).toMatch(/^error \[CONFIG_INVALID\]: GOVERNOR_DIR is (empty|blank)/);
        }
      }
      expectNothingWrittenIn(cli.cwd);
      expect(existsSync(join(cli.cwd, "governor.db"))).toBe(false);
    },
    CLI_TEST_MS,
  );

  it(
    "read-only commands on a missing store answer STORE_NOT_FOUND naming it, and create nothing",
    () => {
      const missing = join(cli.cwd, "fixture-parent", "mistyped");
      for (const args of READING) {
        const result = cli.governor([...args, "--dir", missing], {}, FAST);
        expect(result.code, args.join(" ")).toBe(1);
        expect(result.err, args.join(" ")).toContain(
          `error [STORE_NOT_FOUND]: No Governor store at ${missing} (--dir)`,
        );
        expect(result.out).not.toContain("intact");
      }
      expect(existsSync(join(cli.cwd, "fixture-parent"))).toBe(false);
      // An existing but empty directory is not a store either, and stays empty.
      const empty = join(cli.cwd, "fixture-empty");
      mkdirSync(empty);
      const verify = cli.governor(["audit", "verify", "--dir", empty], {}, FAST);
      expect(verify.err).toContain(`error [STORE_NOT_FOUND]: No Governor store at ${empty}`);
      expect(readdirSync(empty)).toEqual([]);
    },
    CLI_TEST_MS,
  );

  it.runIf(process.getuid?.() === 0)(
    "a directory this user cannot write is refused before SQLite or a key file is touched",
    () => {
      // Root writes anywhere: the check runs as an unprivileged user, as a newcomer would.
      const parent = join(cli.cwd, "fixture-readonly");
      mkdirSync(parent);
      chmodSync(cli.cwd, 0o755);
      chmodSync(parent, 0o555);
      const nobody = { ...FAST, uid: 65534, gid: 65534 };
      const inside = cli.governor(
        ["kill", "--reason", "drill", "--dir", join(parent, "store")],
        { HOME: cli.cwd },
        nobody,
      );
      expect(inside.err).toContain(
        `The store directory ${join(parent, "store")} (--dir) cannot be created (EACCES at`,
      );
      const itself = cli.governor(["kill", "--reason", "drill", "--dir", parent], { HOME: cli.cwd }, nobody);
      expect(itself.err).toContain(
        `The store directory ${parent} (--dir) is not readable and writable by this user`,
      );
      expect(readdirSync(parent)).toEqual([]);
    },
    CLI_TEST_MS,
  );
});
