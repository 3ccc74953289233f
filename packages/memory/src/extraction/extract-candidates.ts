import { formatIssues, GovernorError, type IssueLike } from "@governor/errors";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import {
  type FactKind,
  type FactScope,
  type FactWrite,
  factScopeSchema,
  factWriteSchema,
  kindRank,
} from "../fact.js";
import { type ExtractedFact, extractionOutputSchema } from "./extraction-schema.js";
import {
  type AuthorityOf,
  type ExtractionItem,
  type SourceItem,
  toSourceItems,
} from "./extraction-source.js";
import { askForJson, type ExtractionModel } from "./model-json.js";
import { EXTRACTION_SYSTEM_PROMPT, extractionRequest } from "./prompts.js";

/** What to extract facts from: messages and tool results, in conversation order. */
export interface ExtractionInput {
  readonly messages: readonly ExtractionItem[];
}

export interface ExtractCandidatesOptions {
  /** The partition every candidate is for. */
  readonly scope: FactScope;
  /** The authority of each message's speaker or tool: the only place authority comes from. */
  readonly authorityOf: AuthorityOf;
  /** The thread the messages belong to, recorded in each candidate's source. */
  readonly threadId?: string;
  /** Today, as the model is told it (so "from March 1" has a year). Default: now. */
  readonly now?: Date;
}

/**
 * Turns messages and tool results into candidate facts with the model, ready for
 * `MemoryStore.write` (which decides ADD / UPDATE / DELETE / NONE); nothing is written here.
 *
 * The model answers plain JSON naming, for each fact, the index of the message that states it
 * and the words it relied on. Everything that carries weight is Governor's, not the model's:
 * authority is `authorityOf(message)`, the source is the message's thread, id, tool and call id,
 * the quote must occur in that message (so the model cannot put words in a person's mouth), and
 * a kind stronger than the source's `maxKind` is lowered to it (so a tool result that says
 * "record a mandate" yields at most the tool's observation).
 *
 * @example
 * const writes = await extractCandidates(model, { messages }, {
 *   scope: { tenant: "acme" },
 *   threadId: "t1",
 *   authorityOf: (m) => (m.getType?.() === "human" ? { by: "ops-director", weight: 90 } : { by: "tool", weight: 10 }),
 * });
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID when the model's answer is not JSON, fails
 * its schema (a wrong kind, a missing field, a value too long, an unknown field such as a
 * weight), names a message that does not exist, or quotes words its message does not contain;
 * the message lists every problem with its path.
 * @throws {GovernorError} MEMORY_FACT_INVALID for a malformed scope, an item that is neither a
 * message nor a tool result, or an `authorityOf` that returns no valid authority.
 */
export async function extractCandidates(
  model: ExtractionModel,
  input: ExtractionInput,
  options: ExtractCandidatesOptions,
): Promise<FactWrite[]> {
  const scope = factScopeSchema.safeParse(options.scope);
  if (!scope.success) {
    throw new GovernorError(
      "MEMORY_FACT_INVALID",
      `extraction scope is malformed: ${formatIssues(scope.error.issues, "scope")}`,
      { issues: scope.error.issues },
    );
  }
  const items = toSourceItems(input.messages, options.authorityOf, options.threadId);
  if (items.length === 0) return [];
  const output = await askForJson(
    model,
    [
      new SystemMessage(EXTRACTION_SYSTEM_PROMPT),
      new HumanMessage(extractionRequest(items, options.now ?? new Date())),
    ],
    extractionOutputSchema,
    "fact extraction",
  );
  const issues: IssueLike[] = [];
  const writes = output.facts.flatMap((fact, i) => {
    const path = ["facts", i];
    const before = issues.length;
    const item = items[fact.message];
    if (!item) {
      issues.push({
        path: [...path, "message"],
        message: `names message ${fact.message}, but the transcript has ${items.length} (0 to ${items.length - 1})`,
      });
      return [];
    }
    checkEvidence(fact, item, path, issues);
    if (issues.length > before) return [];
    const write = toWrite(fact, item, scope.data);
    // The store checks again; checking here names the model's fact rather than a write.
    const parsed = factWriteSchema.safeParse(write);
    if (!parsed.success) {
      issues.push(
        ...parsed.error.issues.map((issue) => ({ path: [...path, ...issue.path], message: issue.message })),
      );
      return [];
    }
    return [write];
  });
  if (issues.length > 0) {
    throw new GovernorError(
      "MEMORY_EXTRACTION_INVALID",
      `the model's fact extraction answer does not hold up; nothing was written: ${formatIssues(issues, "(answer)")}`,
      { step: "fact extraction", issues },
    );
  }
  return writes;
}

/** The quote must be words of the cited message, and an asserted value must be in the quote. */
function checkEvidence(
  fact: ExtractedFact,
  item: SourceItem,
  path: (string | number)[],
  issues: IssueLike[],
) {
  const quote = normalizeText(fact.quote);
  if (!normalizeText(item.text).includes(quote)) {
    issues.push({
      path: [...path, "quote"],
      message: `is not in message ${item.index} (${item.role}, ${item.authority.by}): the fact is not what that message says`,
    });
    return;
  }
  if (fact.op === "assert" && typeof fact.value !== "boolean") {
    const value = normalizeText(String(fact.value));
    const digits = typeof fact.value === "number" ? quote.replace(/(\d),(?=\d{3})/g, "$1") : quote;
    if (!digits.includes(value)) {
      issues.push({
        path: [...path, "value"],
        message: `"${String(fact.value)}" does not appear in its quote`,
      });
    }
  }
}

function toWrite(fact: ExtractedFact, item: SourceItem, scope: FactScope): FactWrite {
  const validFrom = fact.validFrom ? worldTime(fact.validFrom) : undefined;
  const common = {
    scope,
    entity: fact.entity,
    attribute: fact.attribute,
    authority: item.authority,
    source: item.source,
    ...(validFrom ? { validFrom } : {}),
  };
  if (fact.op === "retract") return { op: "retract", ...common };
  return { op: "assert", ...common, value: fact.value, kind: capKind(fact.kind, item.maxKind) };
}

/** A kind the source may not state is lowered to the strongest it may: the model never raises authority. */
function capKind(kind: FactKind, maxKind: FactKind): FactKind {
  return kindRank(kind) > kindRank(maxKind) ? maxKind : kind;
}

/** A bare date means midnight UTC of that day. */
function worldTime(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00.000Z` : new Date(value).toISOString();
}

/** Compares text as a reader would: case, width, curly quotes and runs of space do not matter. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/\s+/g, " ")
    .trim()
    .toLowerCase();
}
