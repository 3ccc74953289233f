import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GovernorRuntime } from "@governor/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { governorInProcess as governor } from "./support/in-process.js";

const routedSample = fileURLToPath(new URL("./fixtures/routed-sample.ts", import.meta.url));
const plainSample = fileURLToPath(new URL("./fixtures/registered-refund.ts", import.meta.url));

let dir: string;
let offline: string | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-routing-"));
  // The sample's scenario models, never a real endpoint.
  offline = process.env.OPENAI_API_KEY;
  delete process.env.OPENAI_API_KEY;
});
afterEach(() => {
  if (offline !== undefined) process.env.OPENAI_API_KEY = offline;
  rmSync(dir, { recursive: true, force: true });
});

/** The model audit records of every run in the store: node, the model that ran, the route. */
function modelRecords() {
  const runtime = new GovernorRuntime({ dir });
  try {
    return runtime.store.runs
      .list()
      .flatMap((run) => runtime.store.audit.list(run.threadId))
      .filter((record) => record.kind === "model")
      .map((record) => ({ node: record.node, model: record.data.model, route: record.data.route }));
  } finally {
    runtime.close();
  }
}

describe("governor run with a sample's named models", () => {
  it("passes the sample's models, so each step runs the model its rules choose", async () => {
    const result = await governor("run", routedSample, "--dir", dir, "--no-interactive");

    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.join("\n")).toContain(
      "models: fast=scenario:routed-fast, strong=scenario:routed-strong",
    );
    expect(result.out.join("\n")).toMatch(/lookup\s+model fast \(scenario:routed-fast\): default model/);
    expect(result.out.join("\n")).toMatch(
      /study\s+model strong \(scenario:routed-strong\): beyond the fast model's window/,
    );
    expect(modelRecords()).toEqual([
      { node: "lookup", model: "scenario:routed-fast", route: { model: "fast", reason: "default model" } },
      {
        node: "study",
        model: "scenario:routed-strong",
        route: {
          model: "strong",
          rule: 0,
          reason: expect.stringContaining("beyond the fast model's window"),
        },
      },
    ]);
  });

  it("keeps a sample without models running on its single model", async () => {
    const result = await governor(
      "run",
      plainSample,
      "--dir",
      dir,
      "--no-interactive",
      "--case",
      "small-refund",
    );

    expect(result.err).toEqual([]);
    expect(result.out.join("\n")).toContain("model: scenario:refund");
    const records = modelRecords();
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) expect(record.route).toBeUndefined();
  });
});
