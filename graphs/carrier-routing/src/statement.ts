import { GovernorError } from "@governor/errors";
import type { ExtractionItem, SourceAuthority } from "@governor/memory";
import { HumanMessage } from "@langchain/core/messages";
import { SPEAKERS, type Speaker } from "./speakers.js";

/** One thing said at the desk on a day: the conversation the memory-write step remembers. */
export interface Statement {
  /** The day it was said, `YYYY-MM-DD`: "today" in the statement. */
  readonly day: string;
  readonly speaker: Speaker;
  readonly says: string;
}

/**
 * The statement as the message extraction reads: dated (`[2026-02-10] From today …`), so
 * "today" and "from March 1" mean the day it was said however late it is remembered, and
 * named for its speaker, whose authority {@link speakerAuthority} looks up.
 */
export function statementMessage(statement: Statement): HumanMessage {
  return new HumanMessage({
    content: `[${statement.day}] ${statement.says}`,
    name: statement.speaker,
    id: `${statement.day}/${statement.speaker}`,
  });
}

/**
 * The authority a message carries: its speaker's, from the desk's directory, never the
 * model's reading of it.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID for a message from no known speaker (nothing is
 * written).
 */
export function speakerAuthority(item: ExtractionItem): SourceAuthority {
  const name = (item as { name?: unknown }).name;
  if (typeof name === "string" && Object.hasOwn(SPEAKERS, name)) return SPEAKERS[name as Speaker];
  throw new GovernorError(
    "MEMORY_FACT_INVALID",
    `a statement from ${JSON.stringify(name ?? null)} carries no authority: the desk knows ${Object.keys(SPEAKERS).join(", ")}`,
    { speaker: name },
  );
}
