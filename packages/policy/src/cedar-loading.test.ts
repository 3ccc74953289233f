import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { GovernorError } from "@governor/errors";
import { afterEach, describe, expect, it } from "vitest";
import { CedarPolicyEngine } from "./cedar-policy-engine.js";

const fixtures = fileURLToPath(new URL("../test/fixtures/", import.meta.url));
const fixture = (...parts: string[]) => path.join(fixtures, ...parts);
const schemaText = fs.readFileSync(fixture("desk", "desk.cedarschema"), "utf8");

/** The error a load throws (the test fails if it loads). */
function loadError(load: () => unknown): GovernorError {
  try {
    load();
  } catch (error) {
    return error as GovernorError;
  }
  throw new Error("expected loading to fail");
}

const fromTexts = (policies: string, schema = schemaText) =>
  new CedarPolicyEngine({
    schema: { name: "desk.cedarschema", text: schema },
    policies: [{ name: "inline.cedar", text: policies }],
  });

let temp: string | undefined;
afterEach(() => {
  if (temp) fs.rmSync(temp, { recursive: true, force: true });
  temp = undefined;
});

describe("CedarPolicyEngine loading", () => {
  it("fails on a syntax error, naming the file and line with Cedar's message", () => {
    const error = loadError(() => CedarPolicyEngine.fromDirectory(fixture("broken-syntax")));
    expect(error.code).toBe("POLICY_LOAD_FAILED");
    expect(error.message).toContain(`${fixture("broken-syntax", "refunds.cedar")}:8:3`);
    expect(error.message).toContain("invalid policy condition: whn");
    expect(error.details).toMatchObject({ file: fixture("broken-syntax", "refunds.cedar"), line: 8 });
  });

  it("fails on a policy the schema does not validate, naming file, line and policy id", () => {
    const error = loadError(() =>
      CedarPolicyEngine.fromFiles([
        fixture("invalid-policy", "desk.cedarschema"),
        fixture("invalid-policy", "refunds.cedar"),
      ]),
    );
    expect(error.code).toBe("POLICY_LOAD_FAILED");
    expect(error.message).toContain(`${fixture("invalid-policy", "refunds.cedar")}:9:8`);
    expect(error.message).toContain('(policy "refund-over-500-needs-approval")');
    expect(error.message).toContain("attribute `args.amont` in context");
    expect(error.details).toMatchObject({ policyId: "refund-over-500-needs-approval", line: 9 });
  });

  it("fails on a schema that does not parse, naming the schema file", () => {
    const error = loadError(() => fromTexts("", "namespace Governor { entity Agent = { scopes: Strin }; }"));
    expect(error.code).toBe("POLICY_LOAD_FAILED");
    expect(error.message).toMatch(/desk\.cedarschema:1:47.*failed to resolve type: Strin/);
  });

  it("fails on a schema without Governor::Agent, or with an agent attribute Governor cannot fill", () => {
    expect(loadError(() => fromTexts("", "namespace Shop { entity Agent; }")).message).toMatch(
      /must declare `namespace Governor \{ entity Agent/,
    );
    const extra = loadError(() => fromTexts("", "namespace Governor {\n  entity Agent = { tier: Long };\n}"));
    expect(extra.message).toMatch(
      /desk\.cedarschema:2:3.*declares attribute `tier`, which Governor cannot fill/,
    );
    expect(
      loadError(() => fromTexts("", "namespace Governor { entity Agent = { scopes: Set<Long> }; }")).message,
    ).toMatch(/attribute `scopes` must be Set<String>, the schema declares Set<Long>/);
    expect(
      loadError(() => fromTexts("", "namespace Governor { entity Agent = { userId: String }; }")).message,
    ).toMatch(/`userId` must be optional/);
  });

  it("requires an @id on every policy and refuses one id used twice", () => {
    const permit = 'permit (principal, action == Governor::Action::"close_account", resource);';
    expect(loadError(() => fromTexts(`\n${permit}`)).message).toMatch(
      /inline\.cedar:2:1: every policy needs an @id/,
    );
    const twice = loadError(() => fromTexts(`@id("a")\n${permit}\n@id("a")\n${permit}`));
    expect(twice.message).toMatch(
      /inline\.cedar:3:1 \(policy "a"\): policy id "a" is already used at inline\.cedar:1:1/,
    );
  });

  it("refuses @approval on a forbid, an unknown @approval value, and templates", () => {
    const forbid = loadError(() => fromTexts('@id("f") @approval forbid (principal, action, resource);'));
    expect(forbid.message).toMatch(/@approval belongs on a permit/);
    const value = loadError(() =>
      fromTexts('@id("p") @approval("maybe") permit (principal, action, resource);'),
    );
    expect(value.message).toMatch(/@approval takes no value or "required", not "maybe"/);
    const template = loadError(() =>
      fromTexts('@id("t") permit (principal == ?principal, action, resource);'),
    );
    expect(template.message).toMatch(/templates .* are not supported/);
  });

  it("refuses a directory without exactly one schema or without policies", () => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "governor-cedar-"));
    expect(loadError(() => CedarPolicyEngine.fromDirectory(temp as string)).message).toMatch(
      /exactly one \.cedarschema schema, found none/,
    );
    fs.writeFileSync(path.join(temp, "a.cedarschema"), schemaText);
    expect(loadError(() => CedarPolicyEngine.fromDirectory(temp as string)).message).toMatch(
      /no \.cedar policy files/,
    );
    expect(loadError(() => CedarPolicyEngine.fromDirectory(path.join(temp as string, "missing"))).code).toBe(
      "POLICY_LOAD_FAILED",
    );
  });

  it("changes its version when a policy changes, and keeps it for the same texts anywhere", () => {
    const original = CedarPolicyEngine.fromDirectory(fixture("desk"));
    temp = fs.mkdtempSync(path.join(os.tmpdir(), "governor-cedar-"));
    fs.cpSync(fixture("desk"), temp, { recursive: true });
    expect(CedarPolicyEngine.fromDirectory(temp).version).toBe(original.version);
    expect(original.version).toMatch(/^cedar-[0-9a-f]{12}$/);

    const refunds = path.join(temp, "refunds.cedar");
    fs.writeFileSync(refunds, fs.readFileSync(refunds, "utf8").replace("amount > 500", "amount > 400"));
    const changed = CedarPolicyEngine.fromDirectory(temp);
    expect(changed.version).not.toBe(original.version);
    // The reloaded engine decides with the new text, the original one with the old.
    const request = {
      principal: {
        id: "agent:support",
        kind: "agent",
        agentId: "support",
        scopes: [],
        roles: ["support-agent"],
      },
      action: "issue_refund",
      resource: { type: "Order", id: "A-1" },
      args: { orderId: "A-1", amount: 450 },
      context: { accountFlagged: false },
    } as const;
    expect(changed.decide(request).effect).toBe("require-approval");
    expect(original.decide(request).effect).toBe("allow");
  });
});
