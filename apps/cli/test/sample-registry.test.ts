import { findWorkflowIssues } from "@governor/core";
import { describe, expect, it, vi } from "vitest";

// Cold start: `governor run refund` must import the refund sample and nothing of the others,
// and a sample's Cedar policy set is parsed when its workflow is first checked (compile), not
// when its module is imported. Each sample package is replaced by a spy that records its import.
const imported = vi.hoisted(() => new Set<string>());
vi.mock("@governor/sample-refund", async (original) => {
  imported.add("refund");
  return original();
});
vi.mock("@governor/sample-claims", async (original) => {
  imported.add("claims");
  return original();
});
vi.mock("@governor/sample-supply-chain", async (original) => {
  imported.add("supply-chain");
  return original();
});

const { SAMPLES } = await import("../src/samples.js");
const { loadTarget } = await import("../src/load-target.js");

describe("the CLI's sample registry", () => {
  it("imports no sample until one is asked for, then only that one", async () => {
    expect(SAMPLES.has("refund")).toBe(true);
    expect(imported.size).toBe(0);
    const target = await loadTarget("refund");
    expect(target.source).toBe("sample:refund");
    expect([...imported]).toEqual(["refund"]);
  });

  it("leaves the sample's policy set unparsed until its workflow is checked", async () => {
    const target = await loadTarget("refund");
    const policy = target.workflow.policy as unknown as { readonly loaded?: boolean };
    expect(policy.loaded).toBe(false);
    expect(findWorkflowIssues(target.workflow)).toEqual([]);
    expect(policy.loaded).toBe(true);
  });

  it("names every sample as its package does", async () => {
    for (const [name, entry] of SAMPLES) expect((await entry.load()).name).toBe(name);
    expect(imported).toEqual(new Set(["refund", "claims", "supply-chain"]));
  });
});
