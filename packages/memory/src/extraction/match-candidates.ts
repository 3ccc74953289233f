import { formatIssues, GovernorError, type IssueLike } from "@governor/errors";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { FactKey, FactRecord, FactWrite } from "../fact.js";
import type { MemoryOperation } from "../memory-event.js";
import { scopeKey } from "../scope-key.js";
import { type MatchingOutput, matchingOutputSchema } from "./extraction-schema.js";
import { nearKeys, normalizeKey } from "./key-match.js";
import { askForJson, type ExtractionModel } from "./model-json.js";
import { MATCHING_SYSTEM_PROMPT, type MatchingQuestion, matchingRequest } from "./prompts.js";

/** How a candidate's key was settled. */
export type MatchMethod = "exact" | "normalized" | "model" | "new";

export interface CandidateMatch {
  /** The write to hand the store: the candidate, under the existing key when it matched one. */
  readonly write: FactWrite;
  /** The key as extracted. */
  readonly extracted: FactKey;
  /** The existing fact whose key it now uses. */
  readonly matched?: FactRecord;
  readonly method: MatchMethod;
  /** What the model believed the candidate does (only when the model was asked); advice, not the decision. */
  readonly believed?: MemoryOperation;
}

export interface MatchResult {
  /** The candidates in their order, ready for `MemoryStore.write`. */
  readonly writes: FactWrite[];
  readonly matches: CandidateMatch[];
  /** How many candidates were put to the model (0: no model call was made). */
  readonly asked: number;
}

export interface MatchCandidatesOptions {
  /**
   * Treat every existing fact of the partition as near each candidate, for `existing` found by
   * a semantic search (`store.search`) whose words may differ ("courier" / "carrier").
   * Default: only facts whose words nest in both entity and attribute ("carrier" / "shipping carrier") are near.
   */
  readonly compareAll?: boolean;
}

/** Operations the model may believe for a candidate, by its op and whether it matched a fact. */
const CONSISTENT: Record<"assert" | "retract", Record<"matched" | "new", readonly MemoryOperation[]>> = {
  assert: { matched: ["UPDATE", "NONE"], new: ["ADD"] },
  retract: { matched: ["DELETE", "NONE"], new: ["NONE"] },
};

/**
 * Settles the key of each candidate against the partition's current facts, the classic Mem0
 * matching step, so a fact named a little differently becomes an UPDATE of its key instead of
 * a second key beside it.
 *
 * Deterministic first: an exact key, or one equal ignoring case, spacing and punctuation, needs
 * no model; a key near no existing one is new. Only the rest go to the model, in one call, each
 * with the existing facts it is near; the model maps each to one of those or to none and says
 * the operation it believes. That operation is advice: the store's reconciliation decides the
 * real operation and authority from the key.
 *
 * @throws {GovernorError} MEMORY_EXTRACTION_INVALID when the model's answer is not JSON, fails its
 * schema, names an unknown candidate or existing id, maps a candidate to a fact not offered for
 * it, leaves a candidate out or answers one twice, or believes an operation that contradicts the
 * candidate (an ADD onto an existing key, a DELETE by an assertion).
 */
export async function matchCandidates(
  model: ExtractionModel,
  candidates: readonly FactWrite[],
  existing: readonly FactRecord[],
  options: MatchCandidatesOptions = {},
): Promise<MatchResult> {
  const active = existing.filter((fact) => fact.status === "active");
  const settled: (CandidateMatch | undefined)[] = [];
  const questions: (MatchingQuestion & { readonly at: number })[] = [];
  const ids = new Map<string, string>();
  const idOf = (fact: FactRecord) => {
    let id = ids.get(fact.id);
    if (!id) {
      id = `E${ids.size + 1}`;
      ids.set(fact.id, id);
    }
    return id;
  };
  candidates.forEach((candidate, at) => {
    const extracted = { entity: candidate.entity, attribute: candidate.attribute };
    const partition = active.filter((fact) => fact.scopeKey === scopeKey(candidate.scope));
    const exact = partition.find(
      (fact) => fact.entity === candidate.entity && fact.attribute === candidate.attribute,
    );
    if (exact) {
      settled[at] = { write: candidate, extracted, matched: exact, method: "exact" };
      return;
    }
    const same = partition.filter((fact) => normalizeKey(fact) === normalizeKey(extracted));
    if (same.length === 1 && same[0]) {
      settled[at] = { write: rekey(candidate, same[0]), extracted, matched: same[0], method: "normalized" };
      return;
    }
    // Two existing keys equal but for case are themselves ambiguous: the model picks among them.
    const near =
      same.length > 1
        ? same
        : partition.filter((fact) => options.compareAll === true || nearKeys(fact, extracted));
    if (near.length === 0) {
      settled[at] = { write: candidate, extracted, method: "new" };
      return;
    }
    questions.push({
      at,
      id: `C${questions.length + 1}`,
      candidate,
      options: near.map((fact) => ({ id: idOf(fact), fact })),
    });
  });
  if (questions.length > 0) {
    const output = await askForJson(
      model,
      [new SystemMessage(MATCHING_SYSTEM_PROMPT), new HumanMessage(matchingRequest(questions))],
      matchingOutputSchema,
      "fact matching",
    );
    const answers = checkAnswers(output, questions, new Set(ids.values()));
    for (const question of questions) {
      const answer = answers.get(question.id) as MatchingOutput["matches"][number];
      const matched = question.options.find((option) => option.id === answer.existing)?.fact;
      const { candidate } = question;
      settled[question.at] = {
        write: matched ? rekey(candidate, matched) : candidate,
        extracted: { entity: candidate.entity, attribute: candidate.attribute },
        ...(matched ? { matched } : {}),
        method: "model",
        believed: answer.operation,
      };
    }
  }
  const matches = sameKeyInBatch(settled as CandidateMatch[]);
  return { writes: matches.map((match) => match.write), matches, asked: questions.length };
}

/**
 * Two new candidates of one batch that differ only in case or spacing ("Zone B" then "zone b")
 * are one key: the later takes the earlier's spelling, so a batch never opens two keys for one
 * thing. Candidates that matched an existing fact keep that fact's key.
 */
function sameKeyInBatch(matches: readonly CandidateMatch[]): CandidateMatch[] {
  const first = new Map<string, FactKey>();
  return matches.map((match) => {
    const key = { entity: match.write.entity, attribute: match.write.attribute };
    const seen = first.get(normalizeKey(key));
    if (!seen) {
      first.set(normalizeKey(key), key);
      return match;
    }
    if (match.matched || (seen.entity === key.entity && seen.attribute === key.attribute)) return match;
    return {
      ...match,
      write: { ...match.write, ...seen },
      method: match.method === "new" ? "normalized" : match.method,
    };
  });
}

function checkAnswers(
  output: MatchingOutput,
  questions: readonly MatchingQuestion[],
  knownExisting: ReadonlySet<string>,
): Map<string, MatchingOutput["matches"][number]> {
  const issues: IssueLike[] = [];
  const byId = new Map(questions.map((question) => [question.id, question]));
  const answers = new Map<string, MatchingOutput["matches"][number]>();
  output.matches.forEach((answer, i) => {
    const path = ["matches", i];
    const question = byId.get(answer.candidate);
    if (!question) {
      issues.push({
        path: [...path, "candidate"],
        message: `"${answer.candidate}" is not a candidate that was asked about`,
      });
      return;
    }
    if (answers.has(answer.candidate)) {
      issues.push({
        path: [...path, "candidate"],
        message: `${answer.candidate} is answered more than once`,
      });
      return;
    }
    answers.set(answer.candidate, answer);
    if (answer.existing !== null && !question.options.some((option) => option.id === answer.existing)) {
      issues.push({
        path: [...path, "existing"],
        message: knownExisting.has(answer.existing)
          ? `${answer.existing} was not offered for ${answer.candidate} (offered: ${question.options.map((o) => o.id).join(", ")})`
          : `"${answer.existing}" is not an existing fact's id`,
      });
      return;
    }
    const op = question.candidate.op ?? "assert";
    const allowed = CONSISTENT[op][answer.existing === null ? "new" : "matched"];
    if (!allowed.includes(answer.operation)) {
      issues.push({
        path: [...path, "operation"],
        message: `${answer.operation} contradicts a${op === "assert" ? "n assertion" : " retraction"} ${answer.existing === null ? "of a new key" : `of ${answer.existing}`} (expected ${allowed.join(" or ")})`,
      });
    }
  });
  for (const question of questions) {
    if (!answers.has(question.id))
      issues.push({ path: ["matches"], message: `${question.id} was not answered` });
  }
  if (issues.length > 0) {
    throw new GovernorError(
      "MEMORY_EXTRACTION_INVALID",
      `the model's fact matching answer does not hold up; nothing was written: ${formatIssues(issues, "(answer)")}`,
      { step: "fact matching", issues },
    );
  }
  return answers;
}

/** The candidate under an existing fact's key; everything else (value, authority, source) is its own. */
function rekey(candidate: FactWrite, fact: FactRecord): FactWrite {
  return { ...candidate, entity: fact.entity, attribute: fact.attribute };
}
