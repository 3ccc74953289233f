import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { GovernorError, type Workflow } from "@governor/core";
import { agentPrincipal, delegatedPrincipal, type Principal } from "@governor/identity";
import type { PolicyEngine, PolicyExplanation, PolicyRequest } from "@governor/policy";
import { loadTarget } from "../load-target.js";
import { paint, type Terminal } from "../terminal.js";
import { readWorkflowConfig } from "../workflow-config.js";

/**
 * One fixture file of `governor policy test`: a request as the policy gate would put it, and
 * the decision expected.
 *
 * ```json
 * {
 *   "name": "a $12.50 refund runs on its own",
 *   "request": {
 *     "principal": { "agentId": "support", "roles": ["support-agent"], "scopes": ["refunds:write"] },
 *     "action": "issue_refund",
 *     "resource": { "type": "Order", "id": "A-1001" },
 *     "args": { "orderId": "A-1001", "amount": 12.5, "reason": "arrived broken" },
 *     "context": { "accountFlagged": false }
 *   },
 *   "expect": { "effect": "allow", "policyIds": ["support-may-refund"] }
 * }
 * ```
 * A principal acting for a user adds `"onBehalfOf": { "userId": "u-7", "scopes": [...] }`.
 * `policyIds`, when given, must equal the decision's (in any order).
 */
interface PolicyFixture {
  readonly name?: string;
  readonly request: PolicyRequest;
  readonly expect: { readonly effect: string; readonly policyIds?: readonly string[] };
}

type CaseResult = { readonly file: string; readonly ok: boolean; readonly lines: string[] };

/**
 * `governor policy test DIR --workflow TARGET`: decides every `*.json` request fixture in DIR
 * with the workflow's policy, as a dry run (no journal, no audit, nothing executed), and prints
 * each case as passed or failed; a failure shows the decision's reasons and every policy's
 * outcome. Arguments go through the tool's zod contract first, as they do at the gate.
 *
 * @returns whether every case passed.
 * @throws {GovernorError} CONFIG_INVALID when DIR holds no fixtures or cannot be read;
 *   SAMPLE_UNKNOWN / WORKFLOW_LOAD_FAILED when the workflow cannot be found.
 */
export async function policyTestCommand(
  terminal: Terminal,
  dir: string,
  options: { workflow: string; config?: string },
): Promise<boolean> {
  const { workflow } = await loadTarget(options.workflow, readWorkflowConfig(options.config));
  const files = fixtureFiles(dir);
  const results: CaseResult[] = [];
  for (const file of files) results.push(await runCase(workflow, file));
  for (const result of results) {
    const mark = result.ok ? paint(terminal, "green", "✓") : paint(terminal, "red", "✗");
    const [first, ...rest] = result.lines;
    (result.ok ? terminal.out : terminal.err)(`${mark} ${result.file}  ${first ?? ""}`);
    for (const line of rest) (result.ok ? terminal.out : terminal.err)(`    ${line}`);
  }
  const failed = results.filter((result) => !result.ok).length;
  const summary = `${results.length - failed} passed, ${failed} failed (policy ${workflow.policy.version})`;
  if (failed) terminal.err(paint(terminal, "red", summary));
  else terminal.out(paint(terminal, "green", summary));
  return failed === 0;
}

function fixtureFiles(dir: string): string[] {
  const root = resolve(dir);
  let names: string[];
  try {
    if (!statSync(root).isDirectory()) throw new Error("not a directory");
    names = readdirSync(root).filter((name) => name.endsWith(".json"));
  } catch (error) {
    throw new GovernorError(
      "CONFIG_INVALID",
      `Cannot read policy fixtures from ${root}: ${(error as Error).message}`,
      {
        dir: root,
      },
    );
  }
  if (!names.length)
    throw new GovernorError(
      "CONFIG_INVALID",
      `No *.json policy fixtures in ${root}: nothing would be tested`,
      {
        dir: root,
      },
    );
  return names.sort().map((name) => join(root, name));
}

async function runCase(workflow: Workflow, path: string): Promise<CaseResult> {
  const file = path.split(/[\\/]/).pop() ?? path;
  let fixture: PolicyFixture;
  try {
    fixture = readFixture(path);
  } catch (error) {
    return { file, ok: false, lines: [`invalid fixture: ${(error as Error).message}`] };
  }
  const tool = workflow.tools.find((candidate) => candidate.name === fixture.request.action);
  let request = fixture.request;
  if (tool) {
    const parsed = tool.input.safeParse(request.args);
    if (!parsed.success)
      return {
        file,
        ok: false,
        lines: [
          `args do not satisfy ${tool.name}'s contract: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "(args)"}: ${issue.message}`).join("; ")}`,
        ],
      };
    request = { ...request, args: parsed.data as Record<string, unknown> };
  }
  const { decision, policies } = await dryRun(workflow.policy, request);
  const expected = fixture.expect;
  const ids = [...decision.policyIds].sort();
  const idsOk = !expected.policyIds || JSON.stringify([...expected.policyIds].sort()) === JSON.stringify(ids);
  const ok = decision.effect === expected.effect && idsOk;
  const got = `${decision.effect} [${decision.policyIds.join(", ")}]`;
  const title = fixture.name ? `  ${fixture.name}` : "";
  if (ok) return { file, ok, lines: [`${got}${title}`] };
  const wanted = `${expected.effect}${expected.policyIds ? ` [${expected.policyIds.join(", ")}]` : ""}`;
  return {
    file,
    ok,
    lines: [
      `expected ${wanted}, got ${got}${title}`,
      ...decision.reasons.map((reason) => `reason: ${reason}`),
      ...policies.map((policy) => `${policy.outcome.padEnd(14)} ${policy.id}: ${policy.detail}`),
    ],
  };
}

/** The engine's explanation, or its bare decision when it cannot explain (nothing else runs). */
async function dryRun(policy: PolicyEngine, request: PolicyRequest): Promise<PolicyExplanation> {
  if (policy.explain) return policy.explain(request);
  return { decision: await policy.decide(request), policies: [] };
}

const EFFECTS = new Set(["allow", "deny", "require-approval"]);

function readFixture(path: string): PolicyFixture {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  const request = record(raw.request, "request");
  const expected = record(raw.expect, "expect");
  if (typeof expected.effect !== "string" || !EFFECTS.has(expected.effect))
    throw new Error(`expect.effect must be one of ${[...EFFECTS].join(", ")}`);
  if (expected.policyIds !== undefined && !isStrings(expected.policyIds))
    throw new Error("expect.policyIds must be a list of policy ids");
  if (typeof request.action !== "string") throw new Error("request.action must be the tool's name");
  const resource = request.resource === undefined ? undefined : record(request.resource, "request.resource");
  if (resource && (typeof resource.type !== "string" || typeof resource.id !== "string"))
    throw new Error("request.resource must be { type, id }");
  return {
    name: typeof raw.name === "string" ? raw.name : undefined,
    request: {
      principal: principalOf(record(request.principal, "request.principal")),
      action: request.action,
      resource: resource as PolicyRequest["resource"],
      args: record(request.args ?? {}, "request.args"),
      context: record(request.context ?? {}, "request.context"),
    },
    expect: expected as PolicyFixture["expect"],
  };
}

function principalOf(raw: Record<string, unknown>): Principal {
  if (typeof raw.agentId !== "string" || !isStrings(raw.scopes))
    throw new Error("request.principal must be { agentId, scopes, roles?, onBehalfOf? }");
  if (raw.roles !== undefined && !isStrings(raw.roles))
    throw new Error("request.principal.roles must be strings");
  const agent = agentPrincipal(raw.agentId, raw.scopes, raw.roles as string[] | undefined);
  if (raw.onBehalfOf === undefined) return agent;
  const user = record(raw.onBehalfOf, "request.principal.onBehalfOf");
  if (typeof user.userId !== "string" || !isStrings(user.scopes))
    throw new Error("request.principal.onBehalfOf must be { userId, scopes }");
  return delegatedPrincipal(agent, user.userId, user.scopes);
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (!value || typeof value !== "object" || Array.isArray(value))
    throw new Error(`${path} must be an object`);
  return value as Record<string, unknown>;
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
