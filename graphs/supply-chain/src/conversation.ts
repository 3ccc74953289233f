import type { ScenarioView } from "@governor/models";

/**
 * What the scripted agents read back from the shared conversation: the case, and the tool
 * results and refusals so far. A real model reads the same messages; the script only needs
 * them in a form it can decide on.
 */

/** The request the diagnostic was given: `Incident INC-1042 at PLANT-1, SKU SKU-200: <words>`. */
export const CASE_PATTERN = /Incident (INC-\d+) at (PLANT-\d), SKU (SKU-\d{3}): ([\s\S]*)/;

export interface CaseFacts {
  readonly incident: string;
  readonly site: string;
  readonly sku: string;
  readonly request: string;
}

/** The case as the first human message of the run states it. */
export function caseOf(view: ScenarioView): CaseFacts {
  for (const message of view.messages) {
    if (message.getType() !== "human") continue;
    const match = textOf(message).match(CASE_PATTERN);
    if (match)
      return { incident: match[1] ?? "", site: match[2] ?? "", sku: match[3] ?? "", request: match[4] ?? "" };
  }
  return { incident: "", site: "", sku: "", request: view.lastHuman };
}

/** One tool message of the conversation, with its place in it. */
export interface ToolEvent {
  readonly index: number;
  readonly tool: string;
  readonly ok: boolean;
  readonly text: string;
  /** The result parsed as JSON, when it is JSON. */
  readonly result?: Record<string, unknown>;
}

/** Every tool message (results and refusals) of `tool` after position `since`, oldest first. */
export function toolEvents(view: ScenarioView, tool: string, since = -1): ToolEvent[] {
  const events: ToolEvent[] = [];
  for (const [index, message] of view.messages.entries()) {
    if (index <= since || message.getType() !== "tool") continue;
    const named = message as unknown as { name?: string; status?: string };
    if (named.name !== tool) continue;
    const text = textOf(message);
    events.push({ index, tool, ok: named.status !== "error", text, result: parseObject(text) });
  }
  return events;
}

/** The newest successful result of `tool` after `since`, parsed. */
export function lastResult(view: ScenarioView, tool: string, since = -1): ToolEvent | undefined {
  return toolEvents(view, tool, since)
    .filter((event) => event.ok)
    .at(-1);
}

/** Where the run was last handed to `agent` (the handoff tool's successful result), or -1. */
export function handedOverAt(view: ScenarioView, agent: string): number {
  return lastResult(view, `handoff_to_${agent}`)?.index ?? -1;
}

/** The stock facts read so far, when read_inventory answered. */
export interface StockFacts {
  readonly name: string;
  readonly onHand: number;
  readonly dailyDemand: number;
  readonly daysOfCover: number;
  readonly targetStock: number;
  readonly vendorId: string;
}

export function stockOf(view: ScenarioView): StockFacts | undefined {
  const result = lastResult(view, "read_inventory")?.result;
  if (result?.known !== true) return undefined;
  return result as unknown as StockFacts;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function textOf(message: { content: unknown }): string {
  return typeof message.content === "string" ? message.content : JSON.stringify(message.content);
}
