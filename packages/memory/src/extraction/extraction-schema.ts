import { z } from "zod";
import { FACT_KINDS } from "../fact.js";

/** The longest value extraction accepts: a fact is a short statement, not a paragraph. */
export const MAX_EXTRACTED_VALUE = 500;
/** The longest quote a candidate may carry as its evidence. */
export const MAX_QUOTE = 1000;
/** The most candidates one extraction may return. */
export const MAX_CANDIDATES = 100;

const keyPart = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `${what} is empty`)
    .max(200, `${what} is longer than 200 characters`)
    .refine(
      (text) => ![...text].some((char) => char.charCodeAt(0) < 0x20),
      `${what} holds a control character`,
    );

/** A date ("2026-03-01", midnight UTC) or a date-time with an offset, as the prompt asks. */
const worldTime = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: "validFrom is not an ISO 8601 date or date-time",
});

const common = {
  /** Index of the message or tool result that states the fact, as numbered in the transcript. */
  message: z
    .number({ error: "message must be the index of a message" })
    .int("message is not an integer")
    .min(0),
  entity: keyPart("entity"),
  attribute: keyPart("attribute"),
  /** The words of that message that state the fact: checked against the message itself. */
  quote: z
    .string()
    .trim()
    .min(1, "quote is empty")
    .max(MAX_QUOTE, `quote is longer than ${MAX_QUOTE} characters`),
  validFrom: worldTime.optional(),
  /** Free text the model may add; never used for anything but debugging. */
  reason: z.string().max(1000).optional(),
};

/**
 * One candidate as the model states it. Strict: a field the schema does not name (an
 * `authority`, a `weight`, a `source`) fails the output instead of being ignored, because a
 * model that tries to set its own authority is not answering the question asked.
 */
export const extractedAssertSchema = z
  .object({
    op: z.literal("assert"),
    ...common,
    value: z.union([
      z
        .string()
        .trim()
        .min(1, "value is empty")
        .max(MAX_EXTRACTED_VALUE, `value is longer than ${MAX_EXTRACTED_VALUE} characters`),
      z.number().finite(),
      z.boolean(),
    ]),
    kind: z.enum(FACT_KINDS, { error: `kind must be one of ${FACT_KINDS.join(", ")}` }),
  })
  .strict();

export const extractedRetractSchema = z.object({ op: z.literal("retract"), ...common }).strict();

export const extractedFactSchema = z.discriminatedUnion(
  "op",
  [extractedAssertSchema, extractedRetractSchema],
  {
    error: 'op must be "assert" or "retract"',
  },
);

/** The whole answer to the extraction prompt. */
export const extractionOutputSchema = z
  .object({
    facts: z.array(extractedFactSchema).max(MAX_CANDIDATES, `more than ${MAX_CANDIDATES} facts`),
  })
  .strict();

export type ExtractedFact = z.output<typeof extractedFactSchema>;
export type ExtractionOutput = z.output<typeof extractionOutputSchema>;

/** One candidate's match as the model states it: an existing fact's id or null, and the operation. */
export const matchSchema = z
  .object({
    candidate: z.string().min(1, "candidate is empty"),
    existing: z.string().min(1, "existing is empty").nullable(),
    operation: z.enum(["ADD", "UPDATE", "DELETE", "NONE"], {
      error: "operation must be ADD, UPDATE, DELETE or NONE",
    }),
    reason: z.string().max(1000).optional(),
  })
  .strict();

/** The whole answer to the matching prompt. */
export const matchingOutputSchema = z.object({ matches: z.array(matchSchema) }).strict();

export type MatchingOutput = z.output<typeof matchingOutputSchema>;
