import { z } from "zod";

/**
 * Where a fact lives. A tenant is always named; agent, user and thread narrow the partition
 * (a user's preference, one agent's working notes, a thread's scratch facts). Two scopes are
 * the same partition only when every part is equal.
 */
export interface FactScope {
  readonly tenant: string;
  readonly agent?: string;
  readonly user?: string;
  readonly thread?: string;
}

/**
 * How much a statement binds, strongest first. A mandate is a rule someone with authority set
 * ("use Carrier X for Zone B"); a preference is a standing wish; an observation is something
 * seen in data or a tool result; a suggestion is a brainstorm ("should we try regional
 * couriers?") and never supersedes a mandate.
 */
export const FACT_KINDS = ["mandate", "preference", "observation", "suggestion"] as const;
export type FactKind = (typeof FACT_KINDS)[number];

/** Rank of a kind: higher binds more. */
export function kindRank(kind: FactKind): number {
  return FACT_KINDS.length - FACT_KINDS.indexOf(kind);
}

/** Who stated a fact, and with what weight (0–100): an operations director outranks a chat. */
export interface Authority {
  readonly by: string;
  readonly weight: number;
}

/** Where a fact came from: a message in a thread, a tool result, or a person at the CLI. */
export interface FactSource {
  readonly type: "message" | "tool" | "manual";
  readonly threadId?: string;
  readonly messageId?: string;
  readonly tool?: string;
  readonly callId?: string;
}

/** A value a fact may hold: short text, a finite number or a boolean. */
export type FactValue = string | number | boolean;

/** Lifecycle in system time: the current belief, replaced by a newer one, or retracted. */
export type FactStatus = "active" | "superseded" | "deleted";

/**
 * One stored fact. Two clocks, as in Zep's Graphiti:
 * - world time: `validFrom` / `validTo`, when the fact was true in the world;
 * - system time: `recordedAt` / `supersededAt`, when Governor learned it and when it stopped
 *   being Governor's belief.
 * A record is written once; superseding or retracting it only closes it (status, supersededAt,
 * supersededBy, validTo), and `validToBefore` keeps the world end it had before, so "what did
 * we believe on date X" still reads the record as it was then.
 */
export interface FactRecord {
  readonly id: string;
  readonly scope: FactScope;
  /** Canonical partition key (see `scopeKey`). */
  readonly scopeKey: string;
  readonly entity: string;
  readonly attribute: string;
  readonly value: FactValue;
  readonly kind: FactKind;
  readonly authority: Authority;
  readonly source: FactSource;
  /** ISO time the fact became true in the world. */
  readonly validFrom: string;
  /** ISO time it stopped being true in the world; absent while it holds. */
  readonly validTo?: string;
  /** The world end this record had before it was closed (absent = open). */
  readonly validToBefore?: string;
  readonly recordedAt: string;
  readonly supersededAt?: string;
  readonly supersededBy?: string;
  readonly status: FactStatus;
}

/** The identity of a fact inside its partition: one current value per entity and attribute. */
export interface FactKey {
  readonly entity: string;
  readonly attribute: string;
}

/** Letters of these scripts look alike ("o" and Cyrillic "о"): one name never mixes Latin with the others. */
const LATIN = /\p{Script=Latin}/u;
const LATIN_LOOKALIKES = /[\p{Script=Cyrillic}\p{Script=Greek}]/u;
/** A combining mark NFKC left on a Latin, Greek or Cyrillic letter: these scripts write accents precomposed. */
const STRAY_MARK = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}]\p{M}/u;
/** Invisible format characters (zero-width space, bidi marks, BOM); the joiners are allowed outside Latin/Greek/Cyrillic (Persian writes with them). */
const FORMAT = /\p{Cf}/u;
const JOINERS = /[\u200c\u200d]/gu;

/**
 * A name in its one canonical spelling, so that two spellings a reader takes for the same name
 * are the same key and no second key can stand beside a mandate: NFKC (full-width and other
 * compatibility forms become plain letters), every run of whitespace (tabs, no-break spaces)
 * one space, trimmed. Case is kept. Applied to names read back (keys of `current`, `history`).
 */
export function canonicalName(text: string): string {
  return text.normalize("NFKC").replace(/\s+/gu, " ").trim();
}

/**
 * The spelling a key is compared in: canonical and case-folded, so "Zone B" and "zone b" are one
 * key (one current fact) while each record keeps the spelling it was written in for display.
 */
export function foldedName(text: string): string {
  return canonicalName(text).toLowerCase();
}

/**
 * What no canonical spelling can fold is refused: control and invisible format characters,
 * Latin mixed with Cyrillic or Greek ("zоne B" with a Cyrillic "о"), stray combining marks, and
 * `__proto__`, which turns a plain object keyed by names into a prototype write downstream.
 */
const name = (what: string) =>
  z
    .string()
    .refine(
      (text) =>
        ![...text].some((char) => char.charCodeAt(0) < 0x20 || (char >= "\u007f" && char <= "\u009f")),
      `${what} holds a control character`,
    )
    .refine(
      (text) =>
        !FORMAT.test(LATIN.test(text) || LATIN_LOOKALIKES.test(text) ? text : text.replace(JOINERS, "")),
      `${what} holds an invisible format character (zero-width or bidi)`,
    )
    .transform(canonicalName)
    .pipe(
      z
        .string()
        .min(1, `${what} is empty`)
        .max(200, `${what} is longer than 200 characters`)
        .refine(
          (text) => !(LATIN.test(text) && LATIN_LOOKALIKES.test(text)),
          `${what} mixes Latin letters with Cyrillic or Greek lookalikes`,
        )
        .refine((text) => !STRAY_MARK.test(text), `${what} holds a combining mark on a letter that has none`)
        .refine((text) => text !== "__proto__", `${what} may not be __proto__`),
    );

export const factScopeSchema = z
  .object({
    tenant: name("tenant"),
    agent: name("agent").optional(),
    user: name("user").optional(),
    thread: name("thread").optional(),
  })
  .strict();

export const factValueSchema = z.union([
  z
    .string()
    .min(1, "value is empty")
    .max(2000, "value is longer than 2000 characters")
    .refine((text) => text.trim() !== "", "value is only whitespace"),
  z.number().finite("value is not a finite number"),
  z.boolean(),
]);

export const authoritySchema = z
  .object({ by: name("authority.by"), weight: z.number().int().min(0).max(100) })
  .strict();

export const factSourceSchema = z
  .object({
    type: z.enum(["message", "tool", "manual"]),
    threadId: z.string().min(1).optional(),
    messageId: z.string().min(1).optional(),
    tool: z.string().min(1).optional(),
    callId: z.string().min(1).optional(),
  })
  .strict();

const isoTime = z.iso.datetime({ offset: true, message: "not an ISO 8601 date-time" });

/** A statement to remember: the store decides whether it is an ADD, an UPDATE or a NONE. */
export const assertFactSchema = z
  .object({
    op: z.literal("assert").default("assert"),
    scope: factScopeSchema,
    entity: name("entity"),
    attribute: name("attribute"),
    value: factValueSchema,
    kind: z.enum(FACT_KINDS),
    authority: authoritySchema,
    source: factSourceSchema,
    /** When it became true in the world; default now. Earlier than now is a late correction. */
    validFrom: isoTime.optional(),
  })
  .strict();

/** A retraction: the key's current fact stops being true (DELETE). */
export const retractFactSchema = z
  .object({
    op: z.literal("retract"),
    scope: factScopeSchema,
    entity: name("entity"),
    attribute: name("attribute"),
    authority: authoritySchema,
    source: factSourceSchema,
    /** When it stopped being true in the world; default now. */
    validFrom: isoTime.optional(),
    /** Why it is retracted (a person at the CLI says why): kept in the event and its audit record. */
    reason: z
      .string()
      .trim()
      .min(1, "reason is empty")
      .max(500, "reason is longer than 500 characters")
      .optional(),
  })
  .strict();

export const factWriteSchema = z.union([retractFactSchema, assertFactSchema]);

export type AssertFact = z.input<typeof assertFactSchema>;
export type RetractFact = z.input<typeof retractFactSchema>;
export type FactWrite = AssertFact | RetractFact;
export type ParsedFactWrite = z.output<typeof factWriteSchema>;
