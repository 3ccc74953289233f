import {
  type AuditEntry,
  type AuditJournal,
  type AuditRecord,
  isDeduplicated,
  whenReady,
  withAppend,
} from "@governor/observability";
import type { Span } from "@opentelemetry/api";
import { shownMasked } from "../privacy/audit-mask.js";
import { governorTracer } from "./run-trace.js";
import { ATTR } from "./span-attributes.js";
import { parentContext } from "./span-parents.js";

/** Controls whose records read as guardrails in Langfuse; the rest are events. */
const GUARDRAILS = new Set(["identity", "contract", "precondition", "policy", "approval", "budget", "kill"]);
/** Outcomes a trace viewer should flag. */
const WARNINGS = new Set([
  "deny",
  "denied",
  "refused",
  "rejected",
  "failed",
  "stopped",
  "exceeded",
  "timeout",
]);

/**
 * The audit journal nodes write to, with every appended record also made a span under the
 * span open for its call, node or run (see span-parents.ts): the trace shows each decision where it happened, and
 * it shows exactly the decisions the journal holds, because it is made from the stored
 * record. Wrap a masking journal (`maskingAuditJournal`, as compile() does): the record was
 * masked on its way in, so the span carries no more personal data than the journal does, in
 * display form, without searching the record for personal data a second time.
 */
export function tracingAuditJournal<T extends AuditJournal>(journal: T): T {
  const inner = journal.append.bind(journal);
  const append = (entry: AuditEntry) => whenReady(inner(entry), spanFor);
  const spanFor = (record: AuditRecord): AuditRecord => {
    // A node re-run on resume appends its decisions again; the journal kept the first, and so does the trace.
    if (isDeduplicated(record)) return record;
    // A model call's record says what its generation span already says (made around the call,
    // with its latency): one span for it, not two.
    if (record.kind === "model") return record;
    try {
      const callId = typeof record.data.callId === "string" ? record.data.callId : undefined;
      const parent = parentContext(record.threadId, record.node, callId);
      const span = governorTracer().startSpan(`governor.${record.kind}`, undefined, parent);
      if (span.isRecording()) setDecisionAttributes(span, record);
      span.end();
    } catch {
      // The decision is recorded (above); a trace that lacks it must not fail the node that made it.
    }
    return record;
  };
  return withAppend(journal, append);
}

function setDecisionAttributes(span: Span, record: AuditRecord): void {
  const data = shownMasked(record.data) as Record<string, unknown>;
  const attributes: Record<string, string | number | string[]> = {
    [ATTR.auditKind]: record.kind,
    [ATTR.decision]: record.outcome,
    [ATTR.auditSeq]: record.seq,
    [ATTR.threadId]: record.threadId,
    [ATTR.observationType]: GUARDRAILS.has(record.kind) ? "guardrail" : "event",
    [ATTR.observationLevel]: WARNINGS.has(record.outcome) ? "WARNING" : "DEFAULT",
    [ATTR.observationOutput]: JSON.stringify(data),
  };
  if (record.node) attributes[ATTR.node] = record.node;
  if (record.tool) attributes[ATTR.tool] = record.tool;
  const text = (key: string, name: string) => {
    if (typeof data[key] === "string") attributes[name] = data[key] as string;
  };
  text("callId", ATTR.callId);
  text("policyVersion", ATTR.policyVersion);
  text("approver", ATTR.approver);
  text("reason", ATTR.approvalReason);
  text("idempotencyKey", ATTR.idempotencyKey);
  if (Array.isArray(data.policyIds)) attributes[ATTR.policyIds] = data.policyIds.map(String);
  if (Array.isArray(data.reasons)) attributes[ATTR.policyReasons] = data.reasons.map(String);
  if (record.kind === "execution") attributes[ATTR.executionOutcome] = record.outcome;
  span.setAttributes(attributes);
}
