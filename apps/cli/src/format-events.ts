import {
  type ApprovalRequest,
  type GovernorEvent,
  maskForDisplay,
  maskText,
  type RunOutcome,
} from "@governor/core";
import { paint, type Terminal } from "./terminal.js";

const NODE_WIDTH = 16;

function line(terminal: Terminal, mark: string, node: string, text: string): string {
  // A node name wider than the column would push the text into it and run into the text
  // ("● update_assessment update_assessment executed"): the text then starts on its own line,
  // at the column, so every step's text still lines up.
  if (node.length > NODE_WIDTH) {
    return `   ${mark} ${paint(terminal, "bold", node)}\n${" ".repeat(NODE_WIDTH + 6)}${text}`;
  }
  return `   ${mark} ${paint(terminal, "bold", node.padEnd(NODE_WIDTH))} ${text}`;
}

/** Arguments and results as a screen shows them: e-mails, cards and phones masked (`[card ****4242]`). */
function args(value: unknown): string {
  return JSON.stringify(maskForDisplay(value));
}

/** One step of a run, as a person reads it: who decided what, and why. */
export function formatEvent(terminal: Terminal, event: GovernorEvent): string {
  const ok = (text: string) => paint(terminal, "green", text);
  const bad = (text: string) => paint(terminal, "red", text);
  const warn = (text: string) => paint(terminal, "yellow", text);
  switch (event.type) {
    case "task":
      return line(terminal, "▸", event.node, `task: loaded ${event.fields.join(", ") || "nothing"}`);
    case "model": {
      const calls = event.toolCalls.map((call) => `${call.tool} ${args(call.args)}`).join(", ");
      return line(
        terminal,
        "▸",
        event.node,
        calls ? `model proposes ${paint(terminal, "cyan", calls)}` : `model says: "${maskText(event.text)}"`,
      );
    }
    case "refused-tool":
      return line(terminal, bad("✗"), event.node, bad(`refused ${event.tool}: ${event.reason}`));
    case "route":
      return line(terminal, "▸", event.node, `route → ${event.branch}`);
    case "model-route":
      return line(
        terminal,
        "▸",
        event.node,
        `model ${paint(terminal, "cyan", event.model)} (${event.runs}): ${event.reason}`,
      );
    case "precondition":
      return event.ok
        ? line(terminal, ok("✓"), event.node, ok(`precondition passed for ${event.tool}`))
        : line(terminal, bad("✗"), event.node, bad(`precondition failed: ${event.reason}`));
    case "policy": {
      const ids = event.policyIds.length ? ` [${event.policyIds.join(", ")}]` : "";
      const text = `${event.stage}: ${event.effect.toUpperCase()} — ${event.reasons.join("; ")}${ids}`;
      const mark = event.effect === "allow" ? ok("✓") : event.effect === "deny" ? bad("✗") : warn("?");
      const colored = event.effect === "allow" ? ok(text) : event.effect === "deny" ? bad(text) : warn(text);
      return line(terminal, mark, event.node, colored);
    }
    case "approval":
      return event.approved
        ? line(
            terminal,
            ok("✓"),
            event.node,
            ok(`approved by ${event.approver}${event.reason ? `: ${event.reason}` : ""}`),
          )
        : line(
            terminal,
            bad("✗"),
            event.node,
            bad(`rejected by ${event.approver}${event.reason ? `: ${event.reason}` : ""}`),
          );
    case "approval-refused":
      return line(terminal, bad("✗"), event.node, bad(`answer refused: ${event.reason}`));
    case "action":
      if (!event.ok) return line(terminal, bad("✗"), event.node, bad(`${event.tool} failed: ${event.error}`));
      return line(
        terminal,
        ok("●"),
        event.node,
        ok(
          `${event.tool} executed${event.replayed ? " (replayed from the journal)" : ""} → ${args(event.result)}`,
        ),
      );
    case "turn-limit":
      return line(terminal, bad("✗"), event.node, bad(`used all ${event.maxTurns} turns without finishing`));
    case "handoff":
      return line(terminal, "▸", event.node, `hands the run to ${paint(terminal, "cyan", event.to)}`);
    case "approvals-waiting":
      return line(
        terminal,
        warn("?"),
        event.node,
        warn(`${event.requests} call(s) wait for a human decision`),
      );
    case "memory-read":
      return line(
        terminal,
        "▸",
        event.node,
        `memory: ${event.facts} fact(s) read${event.omitted ? `, ${event.omitted} left out for the token budget` : ""}`,
      );
    case "memory-write": {
      const done = event.events.map(
        (e) => `${e.event} ${e.key}${e.status === "applied" ? "" : ` (${e.status})`}`,
      );
      const text = `memory: ${done.join(", ") || "nothing to write"}`;
      if (!event.pending.length) return line(terminal, ok("●"), event.node, ok(text));
      const waiting = event.pending.map((p) => `${p.requestId}: ${maskText(p.summary)}`).join("; ");
      return line(
        terminal,
        warn("?"),
        event.node,
        warn(`${text}; waiting for governor memory approve: ${waiting}`),
      );
    }
  }
}

/** The approval a run waits for, with what an approver needs to decide. */
export function formatApprovalRequest(terminal: Terminal, request: ApprovalRequest): string[] {
  const pad = " ".repeat(NODE_WIDTH + 5);
  return [
    line(
      terminal,
      paint(terminal, "yellow", "⏸"),
      request.node,
      paint(
        terminal,
        "yellow",
        `approval requested: ${request.summary ? maskText(request.summary) : `${request.tool} ${args(request.args)}`}`,
      ),
    ),
    `${pad}  why: ${request.reasons.join("; ")}${request.policyIds.length ? ` [${request.policyIds.join(", ")}]` : ""}`,
    `${pad}  call ${request.tool} ${args(request.args)} · hash ${request.callHash.slice(0, 12)}… · request ${request.requestId} · expires ${request.expiresAt}`,
    ...(request.refusedAnswer
      ? [`${pad}  ${paint(terminal, "red", `previous answer refused: ${request.refusedAnswer}`)}`]
      : []),
  ];
}

/** How a run ended (or where it stopped). */
export function formatOutcome(terminal: Terminal, outcome: RunOutcome): string[] {
  if (outcome.status === "failed") {
    return [`   ${paint(terminal, "red", `✗ failed [${outcome.error?.code}]: ${outcome.error?.message}`)}`];
  }
  if (outcome.status === "waiting" && outcome.budgetRequest) {
    const request = outcome.budgetRequest;
    return [
      `   ${paint(terminal, "yellow", `⏸ waiting for more budget: ${request.summary}`)}${request.refusedAnswer ? ` (previous answer refused: ${request.refusedAnswer})` : ""}`,
      `     extend: npx governor budget ${outcome.threadId} --extend-tokens 5000 --approver ID`,
      `     stop:   npx governor budget ${outcome.threadId} --stop`,
    ];
  }
  if (outcome.status === "waiting") {
    const approvers = outcome.approval?.requiredScope ? " --approver ID" : "";
    // Several requests (one agent turn's calls) are answered one by one or all at once, never by guess.
    const several = (outcome.approvals?.length ?? 0) > 1;
    const which = several ? " --request ID" : "";
    return [
      `   ${paint(terminal, "yellow", "⏸ waiting for approval")} · thread ${outcome.threadId}${several ? ` · ${outcome.approvals?.length} calls wait` : ""}`,
      `     approve: npx governor approve ${outcome.threadId}${which}${approvers} --reason "…"`,
      `     reject:  npx governor reject ${outcome.threadId}${which}${approvers} --reason "…"`,
      ...(several
        ? [`     or all: npx governor approve ${outcome.threadId} --all${approvers} --reason "…"`]
        : []),
    ];
  }
  const said = lastModelText(outcome.state.messages);
  return [
    `   ${paint(terminal, "green", "✓ completed")}${said ? ` · final answer: "${maskText(said)}"` : ""}`,
  ];
}

/** The last thing the model said in the conversation, if anything. */
export function lastModelText(messages: unknown): string | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const message of [...messages].reverse()) {
    const typed = message as { getType?: () => string; content?: unknown };
    if (typed.getType?.() === "ai" && typeof typed.content === "string" && typed.content)
      return typed.content;
  }
  return undefined;
}
