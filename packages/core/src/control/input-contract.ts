import { formatIssues, GovernorError } from "@governor/errors";
import { isCommand } from "@langchain/langgraph";
import type { Workflow } from "../workflow/define-workflow.js";
import { DEFAULT_MAX_INPUT_BYTES, describeOversize, oversize } from "./payload-size.js";
import { enterRunTurn } from "./yield-to-event-loop.js";

/**
 * Inputs the runtime built itself: only these may carry Governor's own channel (the run's
 * budget goes in with it). Kept by identity, so nothing that arrives as JSON (LangGraph's
 * API server, a queue) can ever be on this list.
 */
const trusted = new WeakSet<object>();

/** Marks an input the runtime built, so the graph lets its `governor` channel through. */
export function trustedInput<T extends object>(input: T): T {
  trusted.add(input);
  return input;
}

/**
 * Parses a run's input against the workflow's state schema.
 *
 * Every entry point says the same thing about bad input, because every one ends here: the
 * runtime before it records a run, and the compiled graph itself for any caller that invokes
 * it directly (the library, LangGraph's API server and Studio, a queue worker).
 *
 * @returns the author's fields, parsed (the schema's defaults and transforms applied);
 *   Governor's channels are not part of the result.
 * @throws {GovernorError} INPUT_INVALID naming each field that does not match, or the
 *   largest field when the input is over the workflow's `maxInputBytes` (default 1 MB).
 */
export function parseRunInput(workflow: Workflow, input: unknown): Record<string, unknown> {
  const given = isRecord(input) ? input : undefined;
  const { messages: _messages, governor: _governor, ...fields } = given ?? {};
  const tooLarge = oversize(input, workflow.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES);
  if (tooLarge) {
    throw new GovernorError(
      "INPUT_INVALID",
      `Input for workflow "${workflow.name}" is too large: ${describeOversize("its fields", tooLarge)}`,
      { workflow: workflow.name, bytes: tooLarge.bytes, limit: tooLarge.limit, field: tooLarge.field },
    );
  }
  const parsed = workflow.state.safeParse(given ? fields : input);
  if (!parsed.success) {
    throw new GovernorError(
      "INPUT_INVALID",
      `Input for workflow "${workflow.name}" is invalid: ${formatIssues(parsed.error.issues, "(input)")}`,
      { workflow: workflow.name, issues: parsed.error.issues },
    );
  }
  return parsed.data as Record<string, unknown>;
}

/**
 * What the graph accepts as a new run's input: the parsed fields, the conversation as given,
 * and Governor's channel only from the runtime (a caller who could set it would pick their
 * own budget, routes or decisions).
 *
 * @throws {GovernorError} INPUT_INVALID for fields that do not match, or a `governor` channel
 *   from anyone but the runtime.
 */
function graphInput(workflow: Workflow, input: unknown): Record<string, unknown> {
  const fields = parseRunInput(workflow, input);
  const given = input as Record<string, unknown>;
  if ("governor" in given && !trusted.has(given)) {
    throw new GovernorError(
      "INPUT_INVALID",
      `Input for workflow "${workflow.name}" is invalid: (input).governor is Governor's own state and cannot be set by a caller`,
      { workflow: workflow.name },
    );
  }
  return {
    ...fields,
    ...("messages" in given ? { messages: given.messages } : {}),
    ...("governor" in given ? { governor: given.governor } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The one hook LangGraph runs on the input of every invoke, stream and streamEvents call. */
interface ValidatesInput {
  _validateInput(input: unknown): Promise<unknown>;
}

/**
 * Makes a compiled graph refuse input that does not match the workflow's state schema,
 * whoever invokes it: the check sits on the graph, so no entry point can skip it.
 *
 * LangGraph passes every input through the compiled graph's `_validateInput` before the
 * first step (invoke, stream and streamEvents all do), so that is where it is enforced. A
 * resume (`Command`) and a continuation from the last checkpoint (`null`) carry no new
 * input and pass as they are: the run's input was checked when it started.
 *
 * @throws {GovernorError} CONFIG_INVALID when this LangGraph no longer has that hook (fail
 *   closed at compile time rather than run unchecked).
 */
export function enforceInputContract<TGraph>(graph: TGraph, workflow: Workflow): TGraph {
  const target = graph as unknown as ValidatesInput;
  const inner = target._validateInput;
  if (typeof inner !== "function") {
    throw new GovernorError(
      "CONFIG_INVALID",
      "This version of @langchain/langgraph has no _validateInput hook: Governor cannot check run input at the graph",
    );
  }
  target._validateInput = async (input: unknown) => {
    // LangGraph's first await of every run: each run starts in its own event-loop turn.
    await enterRunTurn();
    if (input === null || input === undefined || isCommand(input)) return inner.call(graph, input);
    return inner.call(graph, graphInput(workflow, input));
  };
  return graph;
}
