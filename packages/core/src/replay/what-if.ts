import { GovernorError } from "@governor/errors";
import type { Principal } from "@governor/identity";
import type { AuditJournal, AuditRecord } from "@governor/observability";
import {
  CedarPolicyEngine,
  type PolicyEffect,
  type PolicyEngine,
  type PolicyRequest,
} from "@governor/policy";
import type { RunRecord } from "../runtime/run-registry.js";
import type { RunStore } from "../store/run-store.js";

/** Which recorded runs to re-decide, and under which policies. */
export interface WhatIfOptions {
  /** A directory of `*.cedar` files and one `*.cedarschema`, or an engine already loaded. */
  readonly policies: string | URL | PolicyEngine;
  /** These runs only (each must exist); default: every run (started since `since`, if given). */
  readonly threads?: readonly string[];
  /** Runs started at or after this time. */
  readonly since?: Date;
}

/** A recorded policy decision the new policies would decide otherwise. */
export interface WhatIfChange {
  readonly threadId: string;
  readonly seq: number;
  readonly node?: string;
  readonly tool?: string;
  readonly from: PolicyEffect;
  readonly to: PolicyEffect;
  readonly fromPolicyIds: readonly string[];
  readonly toPolicyIds: readonly string[];
  /** The new decision's reasons. */
  readonly reasons: readonly string[];
}

/** A recorded policy decision that cannot be asked again, and why. */
export interface NotRedecidable {
  readonly threadId: string;
  readonly seq: number;
  readonly node?: string;
  readonly tool?: string;
  readonly reason: string;
}

export interface WhatIfReport {
  /** The version of the policy set the decisions were put to. */
  readonly policyVersion: string;
  readonly runs: number;
  /** Recorded policy decisions found in those runs. */
  readonly decisions: number;
  /** Of those, asked again with their recorded request. */
  readonly redecided: number;
  readonly unchanged: number;
  readonly changes: readonly WhatIfChange[];
  /** Changes counted by transition, e.g. `{ "allow → deny": 3 }`. */
  readonly transitions: Readonly<Record<string, number>>;
  readonly notRedecidable: readonly NotRedecidable[];
}

/** What `whatIf` reads: the journal of decisions and the registry of runs. */
export interface WhatIfStore {
  readonly audit: Pick<AuditJournal, "find">;
  readonly runs: Pick<RunStore, "get" | "list">;
}

/**
 * Re-decides every recorded policy decision of the selected runs under another policy set,
 * with the request each was decided with (principal, tool, resource, arguments, context, as
 * the "policy" audit record keeps them), and lists every decision that would now come out
 * differently, with counts by transition: how a policy change is tested against recorded
 * traffic before it ships. Nothing runs and nothing is written.
 *
 * A decision whose request was not recorded (runs before records carried the principal and
 * resource, a decision the facts refused before any policy was asked, a re-decision on
 * resume) is listed in `notRedecidable` with its reason, never silently skipped.
 *
 * @throws {GovernorError} POLICY_LOAD_FAILED when the directory does not load (a syntax
 *   error names file:line:column); RUN_NOT_FOUND for a named thread that does not exist.
 */
export async function whatIf(store: WhatIfStore, options: WhatIfOptions): Promise<WhatIfReport> {
  const engine =
    typeof options.policies === "string" || options.policies instanceof URL
      ? CedarPolicyEngine.fromDirectory(options.policies)
      : options.policies;
  const runs = await selectRuns(store, options);
  const changes: WhatIfChange[] = [];
  const notRedecidable: NotRedecidable[] = [];
  let decisions = 0;
  let redecided = 0;
  for (const run of runs) {
    for (const record of await store.audit.find({ threadId: run.threadId, kind: "policy" })) {
      decisions++;
      const where = { threadId: run.threadId, seq: record.seq, node: record.node, tool: record.tool };
      const request = recordedRequest(record);
      if (typeof request === "string") {
        notRedecidable.push({ ...where, reason: request });
        continue;
      }
      let decision: Awaited<ReturnType<PolicyEngine["decide"]>>;
      try {
        decision = await engine.decide(request);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        notRedecidable.push({ ...where, reason: `the new policies threw: ${message}` });
        continue;
      }
      redecided++;
      if (decision.effect === record.outcome) continue;
      changes.push({
        ...where,
        from: record.outcome as PolicyEffect,
        to: decision.effect,
        fromPolicyIds: stringsOf(record.data.policyIds),
        toPolicyIds: decision.policyIds,
        reasons: decision.reasons,
      });
    }
  }
  const transitions: Record<string, number> = {};
  for (const change of changes) {
    const key = `${change.from} → ${change.to}`;
    transitions[key] = (transitions[key] ?? 0) + 1;
  }
  return {
    policyVersion: engine.version,
    runs: runs.length,
    decisions,
    redecided,
    unchanged: redecided - changes.length,
    changes,
    transitions,
    notRedecidable,
  };
}

async function selectRuns(store: WhatIfStore, options: WhatIfOptions): Promise<RunRecord[]> {
  if (options.since && Number.isNaN(options.since.getTime())) {
    throw new GovernorError("CONFIG_INVALID", "The what-if's since is not a valid date", {});
  }
  const runs: RunRecord[] = [];
  for (const threadId of options.threads ?? []) {
    const run = await store.runs.get(threadId);
    if (!run) throw new GovernorError("RUN_NOT_FOUND", `No run with thread id ${threadId}`, { threadId });
    runs.push(run);
  }
  if (!options.threads?.length) runs.push(...(await store.runs.list()));
  const since = options.since?.toISOString();
  // createdAt is always toISOString's UTC form, so ISO strings compare as times.
  return since ? runs.filter((run) => run.createdAt >= since) : runs;
}

/** The policy request a record was decided with, or why it cannot be rebuilt. */
function recordedRequest(record: AuditRecord): PolicyRequest | string {
  const data = record.data as {
    facts?: unknown;
    redecided?: unknown;
    args?: unknown;
    context?: unknown;
    request?: { resource?: { type?: unknown; id?: unknown }; principal?: Record<string, unknown> };
  };
  if (data.facts === "refused") return "the facts could not be read, so no policy was asked";
  if (data.redecided === true)
    return "a re-decision on resume: its request is on the call's first policy record";
  if (!isEffect(record.outcome)) return `the recorded outcome "${record.outcome}" is not a policy effect`;
  if (!record.tool) return "the record names no tool";
  const principal = principalOf(data.request?.principal);
  if (!principal || !isRecord(data.args) || !isRecord(data.context)) {
    return "recorded before policy records carried the request (principal, resource, args, context)";
  }
  const resource = data.request?.resource;
  return {
    principal,
    action: record.tool,
    ...(resource && typeof resource.type === "string" && typeof resource.id === "string"
      ? { resource: { type: resource.type, id: resource.id } }
      : {}),
    args: data.args,
    context: data.context,
  };
}

function principalOf(value: Record<string, unknown> | undefined): Principal | undefined {
  if (!value || typeof value.id !== "string" || typeof value.agentId !== "string") return undefined;
  if (value.kind !== "agent" && value.kind !== "delegated") return undefined;
  if (!Array.isArray(value.scopes)) return undefined;
  return {
    id: value.id,
    kind: value.kind,
    agentId: value.agentId,
    ...(typeof value.userId === "string" ? { userId: value.userId } : {}),
    scopes: stringsOf(value.scopes),
    ...(Array.isArray(value.roles) ? { roles: stringsOf(value.roles) } : {}),
  };
}

function isEffect(value: string): value is PolicyEffect {
  return value === "allow" || value === "deny" || value === "require-approval";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}
