import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { governorInProcess as governor } from "./support/in-process.js";

const refundFixtures = fileURLToPath(new URL("../../../graphs/refund/policies/tests/", import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-policy-test-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of one refund fixture with `edit` applied, written into the temp fixture dir. */
// biome-ignore lint/suspicious/noExplicitAny: a fixture is free-form JSON edited in place
function fixture(source: string, name: string, edit: (json: Record<string, any>) => void) {
  const json = JSON.parse(readFileSync(join(refundFixtures, source), "utf8"));
  edit(json);
  writeFileSync(join(dir, name), JSON.stringify(json));
}

describe("governor policy test", () => {
  it("passes every refund fixture against the refund sample's policy and exits 0", async () => {
    const result = await governor("policy", "test", refundFixtures, "--workflow", "refund");
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.filter((line) => line.startsWith("✓ "))).toHaveLength(6);
    expect(result.out).toContain(
      "✓ 03-over-limit-asks-supervisor.json  require-approval [refund-over-limit-needs-approval]  $1,200.50 goes to a supervisor",
    );
    expect(result.out.at(-1)).toMatch(/^6 passed, 0 failed \(policy cedar-[0-9a-f]{12}\)$/);
  });

  it("fails a case whose decision differs, printing why, and still runs the others; exits 1", async () => {
    copyFileSync(join(refundFixtures, "01-small-refund-runs.json"), join(dir, "a-ok.json"));
    fixture("03-over-limit-asks-supervisor.json", "b-wrong.json", (json) => {
      json.expect = { effect: "allow" };
    });
    const result = await governor("policy", "test", dir, "--workflow", "refund");
    expect(result.code).toBe(1);
    expect(result.out[0]).toMatch(/^✓ a-ok\.json {2}allow \[support-may-refund\]/);
    expect(result.err[0]).toBe(
      "✗ b-wrong.json  expected allow, got require-approval [refund-over-limit-needs-approval]  $1,200.50 goes to a supervisor",
    );
    expect(result.err).toContain("    reason: refunds above $500 need a supervisor's approval");
    expect(result.err).toContain(
      "    not-satisfied  no-refund-to-flagged-account: condition `when { context.accountFlagged }` is false",
    );
    expect(result.err.at(-1)).toMatch(/^1 passed, 1 failed/);
  });

  it("fails a case whose policy ids differ though its effect matches", async () => {
    fixture("04-flagged-account-denied.json", "ids.json", (json) => {
      json.expect.policyIds = ["support-may-refund"];
    });
    const result = await governor("policy", "test", dir, "--workflow", "refund");
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(
      /^✗ ids\.json {2}expected deny \[support-may-refund\], got deny \[no-refund-to-flagged-account\]/,
    );
  });

  it("puts the arguments through the tool's contract first, as the gate does", async () => {
    fixture("01-small-refund-runs.json", "contract.json", (json) => {
      json.request.args.amount = -5;
    });
    const result = await governor("policy", "test", dir, "--workflow", "refund");
    expect(result.code).toBe(1);
    expect(result.err[0]).toMatch(
      /^✗ contract\.json {2}args do not satisfy issue_refund's contract: amount: /,
    );
  });

  it("explains a denial for want of a permit, naming the permit and its false condition", async () => {
    fixture("06-agent-without-role-denied.json", "role.json", (json) => {
      json.expect = { effect: "allow" };
    });
    const result = await governor("policy", "test", dir, "--workflow", "refund");
    expect(result.code).toBe(1);
    // The first of the permit's two conditions is the one that failed; the second is not blamed.
    expect(result.err).toContain(
      '    reason: permit "support-may-refund" did not apply: condition `when { principal.roles.contains("support-agent") }` is false',
    );
  });

  it("reports a malformed fixture as a failed case, and an empty directory as an error", async () => {
    writeFileSync(join(dir, "broken.json"), '{"request": {}, "expect": {"effect": "maybe"}}');
    const broken = await governor("policy", "test", dir, "--workflow", "refund");
    expect(broken.code).toBe(1);
    expect(broken.err[0]).toBe(
      "✗ broken.json  invalid fixture: expect.effect must be one of allow, deny, require-approval",
    );

    rmSync(join(dir, "broken.json"));
    const empty = await governor("policy", "test", dir, "--workflow", "refund");
    expect(empty.code).toBe(1);
    expect(empty.err[0]).toMatch(/^error \[CONFIG_INVALID\]: No \*\.json policy fixtures in /);
  });
});
