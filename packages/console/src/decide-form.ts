import { type BudgetExtra, GovernorError } from "@governor/core";

/** A form body as Hono reads it: a field is text, a file, or (repeated) a list of them. */
export type FormBody = Readonly<Record<string, unknown>>;

/** An approval form, read and checked. */
export interface ApprovalForm {
  readonly requestId: string;
  readonly callHash: string;
  readonly decision: "approve" | "reject";
  readonly reason?: string;
  /** Who the form says decides: used only on loopback without approver tokens. */
  readonly approver?: string;
}

/** A budget form, read and checked. */
export type BudgetForm =
  | {
      readonly decision: "extend";
      readonly requestId: string;
      readonly extra: BudgetExtra;
      readonly reason?: string;
      readonly approver?: string;
    }
  | {
      readonly decision: "stop";
      readonly requestId: string;
      readonly reason?: string;
      readonly approver?: string;
    };

const MAX_ID = 200;
const MAX_REASON = 2_000;

/**
 * Reads an approval form. Every field is checked before anything is looked up: a form is
 * typed by a person, or crafted by someone who is not one.
 *
 * @throws {GovernorError} RESUME_INVALID naming the field that is missing, repeated or malformed.
 */
export function parseApprovalForm(body: FormBody): ApprovalForm {
  const decision = requiredText(body, "decision", 10);
  if (decision !== "approve" && decision !== "reject") {
    throw formError("decision", `must be approve or reject, got "${decision}"`);
  }
  return {
    requestId: requiredText(body, "requestId", MAX_ID),
    callHash: requiredText(body, "callHash", MAX_ID),
    decision,
    ...optional("reason", optionalText(body, "reason", MAX_REASON)),
    ...optional("approver", approverField(body)),
  };
}

/**
 * Reads a budget form: stop, or extend by at least one of tokens, cost (USD) and steps.
 *
 * @throws {GovernorError} RESUME_INVALID naming the field that is missing or malformed.
 */
export function parseBudgetForm(body: FormBody): BudgetForm {
  const decision = requiredText(body, "decision", 10);
  const requestId = requiredText(body, "requestId", MAX_ID);
  const rest = {
    ...optional("reason", optionalText(body, "reason", MAX_REASON)),
    ...optional("approver", approverField(body)),
  };
  if (decision === "stop") return { decision, requestId, ...rest };
  if (decision !== "extend") throw formError("decision", `must be extend or stop, got "${decision}"`);
  const extra = {
    ...optional("tokens", positiveNumber(body, "tokens", true)),
    ...optional("costUsd", positiveNumber(body, "costUsd", false)),
    ...optional("steps", positiveNumber(body, "steps", true)),
  };
  if (!Object.keys(extra).length) {
    throw formError("extend", "give at least one of tokens, costUsd or steps to extend by");
  }
  return { decision, requestId, extra, ...rest };
}

function requiredText(body: FormBody, field: string, max: number): string {
  const value = optionalText(body, field, max);
  if (value === undefined) throw formError(field, "is missing");
  return value;
}

/**
 * Who the form says decides. Only an absent field may fall back to the console's default: a
 * field sent blank (a tampered or broken form) is refused, never read as "the default", as
 * `--approver ""` is refused on the command line.
 */
function approverField(body: FormBody): string | undefined {
  const value = optionalText(body, "approver", MAX_ID);
  if (value === undefined && body.approver !== undefined) {
    throw formError("approver", "is empty: choose who decides");
  }
  return value;
}

/** A trimmed text field, undefined when absent or blank. */
function optionalText(body: FormBody, field: string, max: number): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw formError(field, "is given more than once");
  if (typeof value !== "string") throw formError(field, "must be text, not a file");
  const text = value.trim();
  if (text.length > max) throw formError(field, `is longer than ${max} characters`);
  if (hasControlCharacter(text)) {
    throw formError(field, "holds control characters");
  }
  return text || undefined;
}

/** Control characters other than tab and line breaks: a typed reason never holds one. */
function hasControlCharacter(text: string): boolean {
  for (const char of text) {
    const code = char.charCodeAt(0);
    if ((code < 0x20 && char !== "\t" && char !== "\n" && char !== "\r") || code === 0x7f) return true;
  }
  return false;
}

function positiveNumber(body: FormBody, field: string, whole: boolean): number | undefined {
  const text = optionalText(body, field, 30);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    !/^\d+(\.\d+)?$/.test(text) ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (whole && !Number.isInteger(value))
  ) {
    throw formError(field, `must be a positive ${whole ? "whole " : ""}number, got "${text}"`);
  }
  return value;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function formError(field: string, problem: string): GovernorError {
  return new GovernorError("RESUME_INVALID", `The decision form's ${field} ${problem}; nothing was decided`, {
    field,
  });
}
