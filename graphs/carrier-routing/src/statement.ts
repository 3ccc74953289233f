import { type ExtractionModel, extractCandidates, type FactWrite } from "@governor/memory";
import { HumanMessage } from "@langchain/core/messages";
import { TENANT } from "./identity.js";
import { SPEAKERS, type Speaker } from "./speakers.js";

/** One thing said at the desk on a day: the conversation the memory-write step remembers. */
export interface Statement {
  /** The day it was said, `YYYY-MM-DD`: "today" in the statement. */
  readonly day: string;
  readonly speaker: Speaker;
  readonly says: string;
}

/**
 * The fact writes a statement makes, by the extraction prompt (the model finds the facts and
 * quotes the words; Governor checks the quote, caps the kind and sets the authority from the
 * speaker). A fact said on a day holds from that day unless the statement dates it otherwise
 * ("from March 1 …"), so a statement replayed later still means the day it was made.
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID when the model's answer fails its schema
 * or quotes words the statement does not hold: nothing is written.
 */
export async function statementWrites(model: ExtractionModel, statement: Statement): Promise<FactWrite[]> {
  const said = new Date(`${statement.day}T00:00:00.000Z`);
  const message = new HumanMessage({ content: statement.says, id: `${statement.day}/${statement.speaker}` });
  const writes = await extractCandidates(
    model,
    { messages: [message] },
    { scope: { tenant: TENANT }, authorityOf: () => SPEAKERS[statement.speaker], now: said },
  );
  return writes.map((write) => (write.validFrom ? write : { ...write, validFrom: said.toISOString() }));
}
