import { EXTRACTION_SYSTEM_PROMPT } from "@governor/memory";
import { defineScenario, type ScenarioView, type ScriptedReply } from "@governor/models";
import { DEFAULT_CARRIER } from "./dispatch-desk.js";

/** The dispatch agent's system prompt starts with this, so the script knows who asks. */
export const DISPATCH_MARKER = "You are Acme's dispatch agent";

/** The extraction prompt's first line: the memory-write step asks the model this. */
const EXTRACTION_MARKER = new RegExp(`^${escapeRegExp(EXTRACTION_SYSTEM_PROMPT.split("\n")[0] ?? "")}`);

/** One fact as the extraction prompt asks for it (see EXTRACTION_SYSTEM_PROMPT). */
interface ExtractedFact {
  readonly op: "assert" | "retract";
  readonly message: number;
  readonly entity: string;
  readonly attribute: string;
  readonly value?: string;
  readonly kind?: string;
  readonly validFrom?: string;
  readonly quote: string;
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/**
 * What the scripted model understands of a statement at the desk, the way a real model would
 * answer the extraction prompt: a question or a "maybe" is a suggestion, "Rule: …" and "from
 * today … goes with …" are mandates, "no longer have a rule" retracts, and "from March 1 … was
 * actually …" is a late correction dated March 1; everything else holds from the day it was
 * said. It quotes the words it relied on; Governor checks the quote and sets the authority
 * from the speaker.
 */
function factsOf(text: string, message: number, today: string): ExtractedFact[] {
  const carrier = "(Carrier [A-Z]|regional couriers)";
  const zone = "(Zone [A-Z])";
  const patterns: [RegExp, (m: RegExpMatchArray) => Omit<ExtractedFact, "message" | "quote">][] = [
    [
      new RegExp(`(?:should we try|maybe) ${carrier} for ${zone}`, "i"),
      (m) => ({
        op: "assert",
        entity: cap(m[2]),
        attribute: "carrier",
        value: m[1],
        kind: "suggestion",
        validFrom: today,
      }),
    ],
    [
      new RegExp(`Rule: use ${carrier} for ${zone}`, "i"),
      (m) => ({
        op: "assert",
        entity: cap(m[2]),
        attribute: "carrier",
        value: m[1],
        kind: "mandate",
        validFrom: today,
      }),
    ],
    [
      new RegExp(`From today ${zone} goes with ${carrier}`, "i"),
      (m) => ({
        op: "assert",
        entity: cap(m[1]),
        attribute: "carrier",
        value: m[2],
        kind: "mandate",
        validFrom: today,
      }),
    ],
    [
      new RegExp(`no longer have a rule for ${zone}`, "i"),
      (m) => ({ op: "retract", entity: cap(m[1]), attribute: "carrier", validFrom: today }),
    ],
    [
      new RegExp(`from (\\w+) (\\d{1,2}) the rule for ${zone} was actually ${carrier}`, "i"),
      (m) => ({
        op: "assert",
        entity: cap(m[3]),
        attribute: "carrier",
        value: m[4],
        kind: "mandate",
        validFrom: dateIn(today, m[1] ?? "", Number(m[2])),
      }),
    ],
  ];
  for (const [pattern, fact] of patterns) {
    const match = text.match(pattern);
    if (match) return [{ ...fact(match), message, quote: match[0] }];
  }
  return [];
}

/**
 * Answers the memory-write step's extraction prompt with JSON, as the prompt asks. Each
 * statement is dated (`[2026-02-10] …`): "today" is that day, whenever it is remembered.
 */
function extractionTurn(view: ScenarioView): ScriptedReply {
  const start = view.lastHuman.indexOf("\n[");
  const transcript = JSON.parse(start >= 0 ? view.lastHuman.slice(start) : "[]") as {
    index: number;
    text: string;
  }[];
  const facts = transcript.flatMap((entry) => {
    const said = entry.text.match(/^\[(\d{4}-\d{2}-\d{2})\]/)?.[1];
    return said ? factsOf(entry.text, entry.index, said) : [];
  });
  return { text: JSON.stringify({ facts }) };
}

/**
 * The dispatch agent books the carrier the zone's mandate names, read from the facts in its
 * prompt. A suggestion is not a rule: with no mandate on record it books the default carrier,
 * which the policy sends to a dispatch lead.
 */
function dispatchTurn(view: ScenarioView): ScriptedReply {
  const shipment = view.lastHuman.match(/Route shipment (SH-\d{3}): Zone ([A-Z])/);
  const [, shipmentId = "", zone = ""] = shipment ?? [];
  const last = view.messages.at(-1);
  if (last?.getType() === "tool") {
    const text = String(last.content);
    const status = (last as unknown as { status?: string }).status;
    if (status !== "error" && text.includes('"bookingId"')) {
      const booking = JSON.parse(text) as { bookingId: string; carrier: string };
      return { text: `Booked ${shipmentId} with ${booking.carrier} (${booking.bookingId}).` };
    }
    return { text: `${shipmentId} is not booked: ${text}` };
  }
  const mandate = view.system.match(
    new RegExp(`\\[mandate · [^\\]]+\\] Zone ${zone} carrier: (.+?) \\(since`),
  );
  if (mandate?.[1]) {
    return {
      text: `The Zone ${zone} rule on record is ${mandate[1]}: booking ${shipmentId} with it.`,
      toolCalls: [{ name: "book_shipment", args: { shipmentId, carrier: mandate[1] } }],
    };
  }
  const suggestion = view.system.match(
    new RegExp(`\\[suggestion · [^\\]]+\\] Zone ${zone} carrier: (.+?) \\(since`),
  );
  const aside = suggestion?.[1] ? ` ("${suggestion[1]}" is only a suggestion)` : "";
  return {
    text: `No carrier rule for Zone ${zone} is on record${aside}: booking ${shipmentId} with ${DEFAULT_CARRIER}, our default, for a dispatch lead to confirm.`,
    toolCalls: [{ name: "book_shipment", args: { shipmentId, carrier: DEFAULT_CARRIER } }],
  };
}

/** The sample's offline model: it answers the extraction prompt and the dispatch agent's turns. */
export const carrierRoutingScenario = defineScenario({
  name: "carrier-routing",
  turns: [
    { when: { system: EXTRACTION_MARKER }, reply: extractionTurn },
    { when: { system: new RegExp(DISPATCH_MARKER) }, reply: dispatchTurn },
  ],
});

function cap(text: string | undefined): string {
  return (text ?? "").replace(/^zone/i, "Zone");
}

/** "March", 1 in the year of `today` → "2026-03-01". */
function dateIn(today: string, month: string, day: number): string | undefined {
  const index = MONTHS.indexOf(month.toLowerCase());
  if (index < 0 || !Number.isInteger(day) || day < 1 || day > 31) return undefined;
  return `${today.slice(0, 4)}-${String(index + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
