import type { FactRecord, FactSource, MemoryApprovalRequest, MemoryEvent } from "@governor/memory";
import { paint, type Terminal } from "../terminal.js";

/*
 * How facts read at a terminal: one headline per fact, then indented detail lines that stay
 * within 80 columns for the usual names (ISO times are 24 characters). Values are printed as
 * JSON so quotes show where text ends and a control character stored in a value can never
 * drive the terminal.
 */

/**
 * Text from the store with its control characters escaped (`\u001b`): summaries and reasons
 * quote stored values, and a value must not be able to drive the operator's terminal.
 */
export function printable(text: string): string {
  return [...text]
    .map((char) => {
      const code = char.charCodeAt(0);
      const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
      return control ? `\\u${code.toString(16).padStart(4, "0")}` : char;
    })
    .join("");
}

/** `zone B / carrier = "Carrier X"`. */
export function factHeadline(fact: Pick<FactRecord, "entity" | "attribute" | "value">): string {
  return printable(`${fact.entity} / ${fact.attribute} = ${JSON.stringify(fact.value)}`);
}

const STATUS_STYLE = { active: "green", superseded: "yellow", deleted: "red" } as const;

/** A fact as `list` and `as-of` show it; `withStatus` for lists that mix current and past records. */
export function formatFact(terminal: Terminal, fact: FactRecord, withStatus = false): string[] {
  const status = withStatus ? `  ${paint(terminal, STATUS_STYLE[fact.status], `[${fact.status}]`)}` : "";
  return [
    `${paint(terminal, "bold", factHeadline(fact))}${status}`,
    `    ${fact.kind} · ${printable(fact.authority.by)} (weight ${fact.authority.weight})`,
    `    valid from ${fact.validFrom} · recorded ${fact.recordedAt}`,
  ];
}

/** A record as `history` shows it: both clocks, its source and what replaced it. */
export function formatHistoryRecord(terminal: Terminal, fact: FactRecord, index: number): string[] {
  const lines = [
    `${index}. ${paint(terminal, "bold", factHeadline(fact))}  ${paint(terminal, STATUS_STYLE[fact.status], `[${fact.status}]`)}`,
    `    ${fact.kind} · ${printable(fact.authority.by)} (weight ${fact.authority.weight}) · ${printable(describeSource(fact.source))}`,
    `    world   ${fact.validFrom} → ${fact.validTo ?? "(open)"}`,
    `    system  ${fact.recordedAt} → ${fact.supersededAt ?? "(current)"}`,
    `    id ${fact.id}`,
  ];
  if (fact.supersededBy) lines.push(`    superseded by ${fact.supersededBy}`);
  return lines;
}

function describeSource(source: FactSource): string {
  const where = [source.threadId, source.messageId ?? source.callId].filter(Boolean).join("/");
  const what = source.type === "tool" && source.tool ? `tool ${source.tool}` : source.type;
  return where ? `${what} in ${where}` : what;
}

/** A write waiting for an approval, with its request id first: the id is what approve takes. */
export function formatRequest(terminal: Terminal, request: MemoryApprovalRequest): string[] {
  return [
    `${paint(terminal, "yellow", "⏸")} ${request.requestId}  ${request.operation}`,
    `    ${printable(request.summary)}`,
    `    proposed by ${printable(request.proposedBy)} · outranks ${printable(request.outranks)}`,
    `    from ${printable(request.threadId)} · node ${printable(request.node)}`,
  ];
}

/**
 * What a write or a decision did, in words, with the record it touched. `refusedAs` names a
 * write that was not applied: "refused" by the rules, or "rejected" by an approver.
 */
export function formatEvent(terminal: Terminal, event: MemoryEvent, refusedAs = "refused"): string[] {
  const key = printable(`${event.key.entity} / ${event.key.attribute}`);
  const audit = event.auditSeq !== undefined ? ` · audit #${event.auditSeq}` : "";
  if (event.status === "pending-approval" && event.approval) {
    return [
      paint(terminal, "yellow", `⏸ ${event.event} of ${key} waits for approval${audit}`),
      `    request ${event.approval.requestId}`,
      `    ${printable(event.approval.summary)}`,
    ];
  }
  if (event.status === "refused") {
    return [
      paint(terminal, "red", `✗ ${event.event} of ${key} ${refusedAs}, nothing written${audit}`),
      `    ${printable(event.reason ?? "")}`,
    ];
  }
  const lines = [paint(terminal, "green", `✓ ${event.event} ${key}${audit}`)];
  if (event.reason) lines.push(`    ${printable(event.reason)}`);
  if (event.record) lines.push(...formatFact(terminal, event.record, true).map((line) => `    ${line}`));
  return lines;
}
