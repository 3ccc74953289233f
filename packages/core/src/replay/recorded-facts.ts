import { type AuditRecord, hashOf } from "@governor/observability";
import type { PolicyEngine, PolicyRequest } from "@governor/policy";

/** How often the replay's policy was asked with the original's facts, and how often with live ones. */
export interface PolicyFactsLog {
  recorded: number;
  live: number;
}

/**
 * The workflow's policy engine, asked with the facts the original run decided with: for a
 * call the original put to the policy (same tool, same arguments), the recorded context and
 * resource replace the ones the gate just read. A replay then re-decides on the facts of the
 * day, not on whatever the system of record holds now (or, for a sample's in-memory system,
 * what a fresh process holds, without the effects the original's tools made). A call the
 * original never put to the policy is decided on the live facts the gate read.
 *
 * The same engine decides, under its own version: only the request's facts are swapped. A
 * second question about the same call (an approval's re-check) gets the call's last
 * recorded facts.
 */
export function recordedFactsPolicy(
  policy: PolicyEngine,
  records: readonly AuditRecord[],
): { policy: PolicyEngine; log: PolicyFactsLog } {
  const log: PolicyFactsLog = { recorded: 0, live: 0 };
  const byCall = new Map<string, FactsOf[]>();
  for (const record of records) {
    const facts = factsOf(record);
    if (!facts) continue;
    const key = callKey(record.tool as string, record.data.args);
    byCall.set(key, [...(byCall.get(key) ?? []), facts]);
  }
  const last = new Map<string, FactsOf>();
  const withRecordedFacts = (request: PolicyRequest): PolicyRequest => {
    const key = callKey(request.action, request.args);
    const facts = byCall.get(key)?.shift() ?? last.get(key);
    if (!facts) {
      log.live++;
      return request;
    }
    last.set(key, facts);
    log.recorded++;
    const { resource: _live, ...rest } = request;
    return { ...rest, context: facts.context, ...(facts.resource ? { resource: facts.resource } : {}) };
  };
  const explain = policy.explain?.bind(policy);
  const checkContracts = policy.checkContracts?.bind(policy);
  const wrapped: PolicyEngine = {
    get version() {
      return policy.version;
    },
    decide: (request) => policy.decide(withRecordedFacts(request)),
    ...(explain ? { explain: (request: PolicyRequest) => explain(withRecordedFacts(request)) } : {}),
    ...(checkContracts ? { checkContracts } : {}),
  };
  return { policy: wrapped, log };
}

interface FactsOf {
  readonly context: Record<string, unknown>;
  readonly resource?: { readonly type: string; readonly id: string };
}

/** The facts a "policy" record was decided with, when it kept them (records before the request was kept hold no resource). */
function factsOf(record: AuditRecord): FactsOf | undefined {
  if (record.kind !== "policy" || !record.tool || record.data.facts === "refused") return undefined;
  const { context, request } = record.data as {
    context?: unknown;
    request?: { resource?: { type?: unknown; id?: unknown } };
  };
  if (typeof context !== "object" || context === null || Array.isArray(context) || !request) return undefined;
  const resource = request.resource;
  return {
    context: context as Record<string, unknown>,
    ...(resource && typeof resource.type === "string" && typeof resource.id === "string"
      ? { resource: { type: resource.type, id: resource.id } }
      : {}),
  };
}

function callKey(tool: string, args: unknown): string {
  return `${tool}:${hashOf(args ?? null)}`;
}
