import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type GovernorResult, governorOnTempStore } from "./support/governor-bin.js";

// Item 1 of issue 6: a run record names the workflow another process loads to approve,
// reject, recover or extend the run. Whoever can start a run writes that record, so it must
// never make `governor` import a module the operator did not register. Every command here is
// the real binary in its own process; a "malicious module" writes a marker file when imported.

const fixture = fileURLToPath(new URL("./fixtures/registered-refund.ts", import.meta.url));
// Each command is a fresh Node process; on a loaded machine one takes several seconds.
const SLOW = 300_000;

let cli: ReturnType<typeof governorOnTempStore> | undefined;
afterEach(() => cli?.dispose());

function open(env: Record<string, string> = {}) {
  cli = governorOnTempStore(env);
  const { dir, governor } = cli;
  const evil = join(dir, "evil.mjs");
  const marker = join(dir, "pwned");
  writeFileSync(
    evil,
    `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(marker)}, "imported");\nexport const workflow = {};\n`,
  );
  const db = () => new Database(join(dir, "governor.db"));
  const setSource = (threadId: string, source: string) => {
    const handle = db();
    handle.prepare("UPDATE runs SET source = ? WHERE thread_id = ?").run(source, threadId);
    handle.close();
  };
  const storedSource = (threadId: string) => {
    const handle = db();
    const row = handle.prepare("SELECT source FROM runs WHERE thread_id = ?").get(threadId) as {
      source: string;
    };
    handle.close();
    return row.source;
  };
  /** Committed refunds: rows of the effect journal, the real effect. */
  const refunds = () => {
    const handle = db();
    const row = handle
      .prepare("SELECT count(*) AS n FROM effects WHERE tool = 'issue_refund' AND status = 'committed'")
      .get() as { n: number };
    handle.close();
    return row.n;
  };
  const waitingThread = (...args: string[]) => {
    const started = governor("run", ...args, "--case", "large-refund");
    expect(started.err).toBe("");
    const pending = JSON.parse(governor("pending", "--json").out) as { threadId: string }[];
    const threadId = pending.at(-1)?.threadId;
    if (!threadId) throw new Error(`no waiting run:\n${started.out}`);
    return { threadId, started };
  };
  const writeConfig = (workflows: Record<string, string>) => {
    const file = join(dir, "governor.config.json");
    writeFileSync(file, JSON.stringify({ workflows }));
    return file;
  };
  return { dir, governor, evil, marker, setSource, storedSource, refunds, waitingThread, writeConfig };
}

function expectRefused(result: GovernorResult) {
  expect(result.code).toBe(1);
  expect(result.err).toContain("error [SOURCE_UNREGISTERED]");
  expect(result.err).not.toMatch(/\n\s+at /);
  expect(result.out).not.toContain("executed");
}

describe("a run record cannot make governor import a module", () => {
  it(
    "approve, reject, recover and budget refuse every planted source and import nothing",
    () => {
      const t = open();
      const { threadId } = t.waitingThread("refund");
      expect(t.storedSource(threadId)).toBe("sample:refund");
      // Even a config the operator owns does not widen what a planted source can reach.
      const config = t.writeConfig({ desk: fixture });
      // Every command that loads a stored run's workflow, on a planted path...
      t.setSource(threadId, t.evil);
      for (const command of [
        ["approve", threadId, "--approver", "supervisor:sam"],
        ["reject", threadId, "--approver", "supervisor:sam"],
        ["recover", threadId],
        ["budget", threadId, "--stop"],
      ]) {
        expectRefused(t.governor(...command));
        expect(existsSync(t.marker)).toBe(false);
      }
      // ...and every other spelling of it, with and without the operator's config.
      for (const source of [`module:${t.evil}`, "workflow:evil", "sample:../evil.mjs", `file://${t.evil}`]) {
        t.setSource(threadId, source);
        expectRefused(t.governor("approve", threadId, "--approver", "supervisor:sam", "--config", config));
        expect(existsSync(t.marker)).toBe(false);
      }
      expect(t.refunds()).toBe(0);

      // The refusals were about the source: restored, the same run is approved, once.
      t.setSource(threadId, "sample:refund");
      const approved = t.governor("approve", threadId, "--approver", "supervisor:sam");
      expect(approved.code).toBe(0);
      expect(t.refunds()).toBe(1);

      // And the marker is a real tripwire: a module the operator imports on purpose fires it.
      t.governor("validate", t.evil);
      expect(existsSync(t.marker)).toBe(true);
    },
    SLOW,
  );
});

describe("the operator's workflow config", () => {
  it(
    "a registered module is stored by name and approved from another process",
    () => {
      const t = open();
      const config = t.writeConfig({ "refund-desk": fixture });
      const { threadId, started } = t.waitingThread(fixture, "--config", config);
      expect(started.out).not.toContain("is not registered");
      expect(t.storedSource(threadId)).toBe("workflow:refund-desk");
      const approved = t.governor("approve", threadId, "--approver", "supervisor:sam", "--config", config);
      expect(approved.err).toBe("");
      expect(approved.code).toBe(0);
      expect(t.refunds()).toBe(1);
    },
    SLOW,
  );

  it(
    "an unregistered module's run waits until the operator registers that module",
    () => {
      const t = open();
      const { threadId, started } = t.waitingThread(fixture);
      expect(started.out).toContain("is not registered");
      expect(t.storedSource(threadId)).toMatch(/^module:.*registered-refund\.ts$/);

      expectRefused(t.governor("approve", threadId, "--approver", "supervisor:sam"));
      // Another name for another module does not count.
      const other = t.writeConfig({ evil: t.evil });
      expectRefused(t.governor("approve", threadId, "--approver", "supervisor:sam", "--config", other));
      expect(existsSync(t.marker)).toBe(false);
      expect(t.refunds()).toBe(0);

      const config = t.writeConfig({ "refund-desk": fixture });
      const approved = t.governor("approve", threadId, "--approver", "supervisor:sam", "--config", config);
      expect(approved.code).toBe(0);
      expect(t.refunds()).toBe(1);
    },
    SLOW,
  );

  it(
    "a config that names a missing file or is not JSON is one clear error",
    () => {
      const t = open();
      const missing = t.governor("run", "refund", "--config", join(t.dir, "nope.json"));
      expect(missing.code).toBe(1);
      expect(missing.err).toContain("error [CONFIG_INVALID]: No workflow config at");
      const file = join(t.dir, "bad.json");
      writeFileSync(file, "{ not json");
      const bad = t.governor("run", "refund", "--config", file);
      expect(bad.err).toContain("error [CONFIG_INVALID]");
      expect(bad.err).toContain("is not JSON");
    },
    SLOW,
  );
});

describe("options that used to crash the CLI", () => {
  it(
    "--dir naming a file, or a path under a file, is one CONFIG_INVALID line for every command",
    () => {
      const t = open();
      const file = join(t.dir, "not-a-dir");
      writeFileSync(file, "x");
      for (const args of [
        ["status", "--dir", file],
        ["run", "refund", "--case", "small-refund", "--dir", file],
        ["pending", "--dir", join(file, "sub")],
      ]) {
        const result = t.governor(...args);
        expect(result.code).toBe(1);
        expect(result.err).toMatch(/^error \[CONFIG_INVALID\]: The store directory .*not-a-dir/);
        expect(result.err).not.toMatch(/\n\s+at /);
        expect(result.err).not.toContain("EEXIST");
      }
      const viaEnv = governorOnTempStore({ GOVERNOR_DIR: file });
      const result = viaEnv.governor("status");
      viaEnv.dispose();
      expect(result.err).toContain("(GOVERNOR_DIR) is a file, not a directory");
    },
    SLOW,
  );

  it(
    "malformed numbers are refused by name before anything runs",
    () => {
      const t = open();
      for (const [flag, value] of [
        ["--max-tokens", "abc"],
        ["--max-cost", "-1"],
        ["--max-steps", "1e999"],
      ]) {
        const result = t.governor("run", "refund", "--case", "small-refund", flag as string, value as string);
        expect(result.code).toBe(1);
        expect(result.err).toMatch(/^error \[CONFIG_INVALID\]/);
        expect(result.out).not.toContain("executed");
      }
      const extend = t.governor("budget", "no-such-thread", "--extend-tokens", "NaN");
      expect(extend.err).toContain(
        'error [CONFIG_INVALID]: --extend-tokens must be a positive number, got "NaN"',
      );
      expect(t.refunds()).toBe(0);
    },
    SLOW,
  );

  it(
    "kill --agent in any case or spacing engages the canonical switch of a registered agent",
    () => {
      const t = open();
      const killed = t.governor("kill", "--agent", " Support ", "--reason", "incident");
      expect(killed.code).toBe(0);
      expect(killed.out).toContain("kill switch engaged (agent:support)");
      const refused = t.governor("run", "refund", "--case", "small-refund");
      expect(refused.err).toContain("error [KILLED]");
      expect(t.refunds()).toBe(0);
      const released = t.governor("unkill", "--agent", "SUPPORT");
      expect(released.out).toContain("kill switch released (agent:support)");
      const blank = t.governor("kill", "--agent", "  ");
      expect(blank.err).toContain("error [CONFIG_INVALID]: --agent is blank (governor kill)");
    },
    SLOW,
  );
});
