import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SAMPLES, type SampleEntry } from "../src/samples.js";
import { CUSTOMER_EMAIL, deskEffects, parallelDeskSample } from "./fixtures/parallel-desk.js";
import { governorInProcess } from "./support/in-process.js";

// `governor pending`, `approve` and `reject` when one agent turn waits for two approvals:
// every request is listed with its id, an approver names one (--request) or decides all
// (--all), and the CLI never picks one for them. Effects are the handlers' own counts.

const SAM = ["--approver", "supervisor:sam"];

async function governor(...args: string[]) {
  const { code, out, err } = await governorInProcess(...args, "--dir", dir);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

let dir: string;
let threadId: string;
/** What `governor run` printed when the run stopped for both approvals. */
let started: string;

beforeAll(() => {
  // A sample of this process only: the CLI finds a run's workflow by its recorded source.
  (SAMPLES as Map<string, SampleEntry>).set(parallelDeskSample.name, {
    name: parallelDeskSample.name,
    load: async () => parallelDeskSample,
  });
});
afterAll(() => {
  (SAMPLES as Map<string, SampleEntry>).delete(parallelDeskSample.name);
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "governor-parallel-cli-"));
  deskEffects.refunds.length = 0;
  deskEffects.addresses.length = 0;
  const run = await governor("run", "parallel-desk", "--case", "both");
  expect(run.code, run.err).toBe(0);
  started = run.out;
  threadId = run.out.match(/thread ([0-9a-f-]{36})/)?.[1] ?? "";
  expect(threadId).not.toBe("");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The requests `governor pending --json` lists for the run, by tool. */
async function pendingByTool(): Promise<Record<string, string>> {
  const listed = JSON.parse((await governor("pending", "--json")).out) as {
    threadId: string;
    request: { tool: string; requestId: string };
  }[];
  return Object.fromEntries(
    listed
      .filter((entry) => entry.threadId === threadId)
      .map((entry) => [entry.request.tool, entry.request.requestId]),
  );
}

function reveals(): { outcome: string; requestId: unknown }[] {
  const runtime = new GovernorRuntime({ dir });
  try {
    return runtime.store.audit
      .list(threadId)
      .filter((record) => record.outcome.startsWith("reveal"))
      .map((record) => ({ outcome: record.outcome, requestId: record.data.requestId }));
  } finally {
    runtime.close();
  }
}

describe("a run waiting for two approvals, from the command line", () => {
  it("lists every request with its id, tool, masked arguments, reasons and expiry", async () => {
    const ids = await pendingByTool();
    const text = await governor("pending");

    expect(Object.keys(ids).sort()).toEqual(["change_address", "issue_refund"]);
    expect(text.code, text.err).toBe(0);
    for (const id of Object.values(ids)) expect(text.out).toContain(`request ${id}`);
    expect(text.out).toContain("call issue_refund");
    expect(text.out).toContain("call change_address");
    expect(text.out).toContain("every write is approved by a supervisor");
    expect(text.out).toMatch(/expires \d{4}-\d\d-\d\dT/);
    expect(text.out).not.toContain(CUSTOMER_EMAIL);
    // `governor run` showed both requests when the run stopped, not only the first.
    expect(started).toMatch(/approval requested: issue_refund/);
    expect(started).toMatch(/approval requested: change_address/);
    expect(started).not.toContain(CUSTOMER_EMAIL);
    expect(started).toContain(`governor approve ${threadId} --request ID`);
    expect(started).toContain(`governor approve ${threadId} --all`);
    for (const id of Object.values(ids)) expect(started).toContain(`request ${id}`);
    expect(deskEffects).toEqual({ refunds: [], addresses: [] });
  });

  it("refuses to guess: approve with two pending and no --request or --all is one error line listing both", async () => {
    const ids = await pendingByTool();

    const result = await governor("approve", threadId, ...SAM);
    const unknown = await governor("approve", threadId, "--request", "apr_nope", ...SAM);
    const both = await governor("approve", threadId, "--all", "--request", ids.issue_refund ?? "", ...SAM);

    expect(result.code).toBe(1);
    expect(result.err.split("\n")).toHaveLength(1);
    expect(result.err).toContain("RESUME_INVALID");
    expect(result.err).toContain(ids.issue_refund);
    expect(result.err).toContain(ids.change_address);
    expect(result.err).toContain("--request");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("apr_nope");
    expect(both.code).toBe(1);
    expect(both.err).toContain("CONFIG_INVALID");
    expect(deskEffects).toEqual({ refunds: [], addresses: [] });
    expect(Object.keys(await pendingByTool())).toHaveLength(2);
  });

  it("approves one with --request: that call runs once, the other still waits; rejecting it then ends the run", async () => {
    const ids = await pendingByTool();

    const approved = await governor("approve", threadId, "--request", ids.issue_refund ?? "", ...SAM);

    expect(approved.code, approved.err).toBe(0);
    expect(deskEffects.refunds).toHaveLength(1);
    expect(deskEffects.addresses).toHaveLength(0);
    expect(await pendingByTool()).toEqual({ change_address: ids.change_address });

    const rejected = await governor(
      "reject",
      threadId,
      "--request",
      ids.change_address ?? "",
      ...SAM,
      "--reason",
      "not verified",
    );

    expect(rejected.code, rejected.err).toBe(0);
    expect(rejected.out).toContain("rejected by supervisor:sam: not verified");
    expect(deskEffects.refunds).toHaveLength(1);
    expect(deskEffects.addresses).toHaveLength(0);
    expect(await pendingByTool()).toEqual({});
  });

  it("--all approves every request, one signed decision each, and each call runs once", async () => {
    const approved = await governor("approve", threadId, "--all", ...SAM);

    expect(approved.code, approved.err).toBe(0);
    expect(approved.out).toContain("all 2 requests");
    expect(deskEffects.refunds).toHaveLength(1);
    expect(deskEffects.addresses).toHaveLength(1);
    expect(await pendingByTool()).toEqual({});
    expect((await governor("approve", threadId, "--all", ...SAM)).code).toBe(1);
    expect(deskEffects.refunds).toHaveLength(1);
  });

  it("--reveal shows one named request to an entitled approver and refuses to pick one itself", async () => {
    const ids = await pendingByTool();

    const unnamed = await governor("pending", threadId, "--reveal", ...SAM);
    const named = await governor(
      "pending",
      threadId,
      "--reveal",
      "--request",
      ids.change_address ?? "",
      ...SAM,
    );

    expect(unnamed.code).toBe(1);
    expect(unnamed.err).toContain(ids.change_address);
    expect(`${unnamed.out}${unnamed.err}`).not.toContain(CUSTOMER_EMAIL);
    expect(named.code, named.err).toBe(0);
    expect(named.out).toContain(CUSTOMER_EMAIL);
    expect(named.out).toContain(`request ${ids.change_address}`);
    expect(reveals()).toEqual([{ outcome: "reveal", requestId: ids.change_address }]);
  });
});
