import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

/** The repository root, where a user runs `npx governor`. */
const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));
const bin = join(repoRoot, "apps/cli/bin/governor.js");

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-carrier-cli-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The real `governor` binary (the build: npm test builds first) on a fresh store, offline. */
function governor(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, GOVERNOR_DIR: dir, NO_COLOR: "1", CI: "true" };
  delete env.OPENAI_API_KEY;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, env });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/** The lines printed under each case's `━━ name` header. */
function byCase(out: string): Map<string, string> {
  const cases = new Map<string, string>();
  for (const block of out.split("\n━━ ").slice(1)) {
    const name = block.slice(0, block.indexOf(" "));
    cases.set(name, block);
  }
  return cases;
}

describe("governor run carrier-routing", () => {
  it("plays the six days offline and prints what each did to memory and the booking", {
    timeout: 240_000,
  }, async () => {
    const run = await governor("run", "carrier-routing", "--no-interactive", "--dir", dir);

    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const cases = byCase(run.out);
    expect([...cases.keys()]).toEqual([
      "brainstorm",
      "mandate",
      "change-of-mandate",
      "suggestion-against-mandate",
      "retraction",
      "late-correction",
    ]);
    const expected: Record<string, [RegExp, RegExp]> = {
      brainstorm: [/memory: ADD Zone B\.carrier/, /⏸ waiting for approval/],
      mandate: [
        /memory: UPDATE Zone B\.carrier/,
        /✓ completed · book_shipment executed · final answer: "Booked SH-102 with Carrier X \(BK-1\)\."/,
      ],
      "change-of-mandate": [
        /memory: UPDATE Zone B\.carrier/,
        /✓ completed · book_shipment executed · final answer: "Booked SH-103 with Carrier Y \(BK-2\)\."/,
      ],
      "suggestion-against-mandate": [
        /memory: UPDATE Zone B\.carrier \(refused\)/,
        /✓ completed · book_shipment executed · final answer: "Booked SH-104 with Carrier Y \(BK-3\)\."/,
      ],
      retraction: [/memory: DELETE Zone B\.carrier/, /⏸ waiting for approval/],
      "late-correction": [
        /memory: ADD Zone B\.carrier/,
        /✓ completed · book_shipment executed · final answer: "Booked SH-106 with Carrier Z \(BK-4\)\."/,
      ],
    };
    for (const [name, [memory, outcome]] of Object.entries(expected)) {
      const block = cases.get(name) ?? "";
      expect(block, name).toMatch(memory);
      expect(block, name).toMatch(outcome);
    }
    // The two days without a rule ask a dispatch lead for the default carrier; nothing else does.
    expect(
      run.out.match(/approval requested: Book SH-10\d with Standard Freight: no carrier rule is on record/g),
    ).toEqual([
      "approval requested: Book SH-101 with Standard Freight: no carrier rule is on record",
      "approval requested: Book SH-105 with Standard Freight: no carrier rule is on record",
    ]);
  });
});
