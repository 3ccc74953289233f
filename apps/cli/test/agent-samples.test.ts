import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { governorInProcess as governor } from "./support/in-process.js";

const fixtures = (sample: string) =>
  fileURLToPath(new URL(`../../../graphs/${sample}/policies/tests/`, import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-agent-samples-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the agent-loop samples in the CLI", () => {
  it.each([
    ["support-agent", 6],
    ["receivables", 6],
  ])("passes the %s policy fixtures", async (sample, count) => {
    const result = await governor("policy", "test", fixtures(sample), "--workflow", sample);
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.at(-1)).toMatch(new RegExp(`^${count} passed, 0 failed`));
  });

  it("runs support-agent's injected-instruction case offline and shows the refusal at the step", async () => {
    const result = await governor("run", "support-agent", "--case", "injected-instruction", "--dir", dir);

    expect(result.code).toBe(0);
    expect(result.out).toContainEqual(
      expect.stringMatching(
        /✗ support +refused delete_account: no tool named delete_account is available at this step/,
      ),
    );
    expect(result.out.some((line) => /delete_account executed/.test(line))).toBe(false);
    expect(result.out.at(-1)).toMatch(/✓ completed/);
  });

  it("runs receivables' chase to the controller's approval, then sends the one checked final notice on `approve --all`", async () => {
    const run = await governor(
      "run",
      "receivables",
      "--case",
      "chase-overdue",
      "--thread",
      "chase-1",
      "--no-interactive",
      "--dir",
      dir,
    );
    expect(run.code).toBe(0);
    expect(run.out).toContainEqual(
      expect.stringMatching(/precondition failed: no dispute check is logged for INV-101/),
    );
    expect(run.out).toContainEqual(
      expect.stringMatching(/policy: DENY — the invoice is in dispute.*\[no-notice-on-disputed-invoice\]/),
    );
    expect(run.out).toContainEqual(expect.stringMatching(/⏸ waiting for approval · thread chase-1/));

    const approved = await governor(
      "approve",
      "chase-1",
      "--all",
      "--approver",
      "controller:ines",
      "--dir",
      dir,
    );
    expect(approved.code).toBe(0);
    const sent = approved.out.filter((line) => /send_notice executed →/.test(line));
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('"invoiceId":"INV-101","kind":"final_default"');
    expect(approved.out.at(-1)).toMatch(/✓ completed/);
  });
});
