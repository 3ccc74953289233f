import { formatIssues, GovernorError } from "@governor/errors";
import { BaseMessage, ToolMessage } from "@langchain/core/messages";
import { type Authority, authoritySchema, FACT_KINDS, type FactKind, type FactSource } from "../fact.js";

/** A tool result handed to extraction without a LangChain `ToolMessage`. */
export interface ToolResultInput {
  readonly tool: string;
  readonly callId: string;
  readonly content: unknown;
}

/** One thing a fact may be extracted from: a conversation message or a tool result. */
export type ExtractionItem = BaseMessage | ToolResultInput;

/**
 * The authority of whoever produced an item, decided by the caller (never by the model).
 * `maxKind` is the strongest kind a statement from that source may have: a candidate the
 * model labels stronger is lowered to it. Unset, a person's or the system's message may state
 * a mandate, while the model's own replies and tool results are at most observations, so a
 * tool result that says "record a mandate" cannot make one.
 */
export interface SourceAuthority extends Authority {
  readonly maxKind?: FactKind;
}

/** Maps an item (and its position in the input) to the authority its statements carry. */
export type AuthorityOf = (item: ExtractionItem, index: number) => SourceAuthority;

/** An item as extraction sees it: numbered, with its text, its source record and its authority. */
export interface SourceItem {
  readonly index: number;
  readonly role: "human" | "ai" | "system" | "tool" | "other";
  readonly text: string;
  readonly source: FactSource;
  readonly authority: Authority;
  readonly maxKind: FactKind;
}

const DEFAULT_MAX_KIND: Record<SourceItem["role"], FactKind> = {
  human: "mandate",
  system: "mandate",
  ai: "observation",
  tool: "observation",
  other: "observation",
};

/**
 * Numbers the items, reads their text and asks the caller for each one's authority.
 *
 * @throws {GovernorError} MEMORY_FACT_INVALID when an item is neither a message nor a tool
 * result, or `authorityOf` returns no valid authority for it.
 */
export function toSourceItems(
  items: readonly ExtractionItem[],
  authorityOf: AuthorityOf,
  threadId: string | undefined,
): SourceItem[] {
  return items.map((item, index) => {
    const base = describeItem(item, index, threadId);
    const claimed = authorityOf(item, index);
    const { maxKind, ...authority } = claimed ?? ({} as SourceAuthority);
    const parsed = authoritySchema.safeParse(authority);
    if (!parsed.success) {
      throw new GovernorError(
        "MEMORY_FACT_INVALID",
        `authorityOf(messages[${index}]) returned no valid authority: ${formatIssues(parsed.error.issues.map((issue) => ({ ...issue, path: [`messages[${index}]`, "authority", ...issue.path] })))}`,
        { index, issues: parsed.error.issues },
      );
    }
    if (maxKind !== undefined && !FACT_KINDS.includes(maxKind)) {
      throw new GovernorError(
        "MEMORY_FACT_INVALID",
        `authorityOf(messages[${index}]).maxKind "${String(maxKind)}" is not one of ${FACT_KINDS.join(", ")}`,
        { index },
      );
    }
    return { ...base, authority: parsed.data, maxKind: maxKind ?? DEFAULT_MAX_KIND[base.role] };
  });
}

function describeItem(
  item: ExtractionItem,
  index: number,
  threadId: string | undefined,
): Omit<SourceItem, "authority" | "maxKind"> {
  const thread = threadId ? { threadId } : {};
  if (ToolMessage.isInstance(item)) {
    return {
      index,
      role: "tool",
      text: contentText(item.content),
      source: {
        type: "tool",
        ...thread,
        ...(item.id ? { messageId: item.id } : { messageId: `#${index}` }),
        ...(item.name ? { tool: item.name } : {}),
        ...(item.tool_call_id ? { callId: item.tool_call_id } : {}),
      },
    };
  }
  if (BaseMessage.isInstance(item)) {
    const type = item.getType();
    const role: SourceItem["role"] =
      type === "human" ? "human" : type === "ai" ? "ai" : type === "system" ? "system" : "other";
    return {
      index,
      role,
      text: contentText(item.content),
      source: { type: "message", ...thread, messageId: item.id ?? `#${index}` },
    };
  }
  if (isToolResult(item)) {
    return {
      index,
      role: "tool",
      text: contentText(item.content),
      source: { type: "tool", ...thread, messageId: `#${index}`, tool: item.tool, callId: item.callId },
    };
  }
  throw new GovernorError(
    "MEMORY_FACT_INVALID",
    `messages[${index}] is neither a LangChain message nor a tool result { tool, callId, content }`,
    { index },
  );
}

function isToolResult(item: unknown): item is ToolResultInput {
  if (typeof item !== "object" || item === null) return false;
  const { tool, callId } = item as Record<string, unknown>;
  return typeof tool === "string" && tool.length > 0 && typeof callId === "string" && callId.length > 0;
}

/** The text of a message's content: a string, the text parts of a content array, or JSON. */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  // A LangChain content array of text parts reads as its text; any other array is data.
  if (Array.isArray(content) && content.every(isTextPart)) {
    return content.map((part) => (typeof part === "string" ? part : part.text)).join("");
  }
  return content === undefined ? "" : JSON.stringify(content);
}

function isTextPart(part: unknown): part is string | { text: string } {
  return (
    typeof part === "string" ||
    (typeof part === "object" &&
      part !== null &&
      (part as { type?: unknown }).type === "text" &&
      typeof (part as { text?: unknown }).text === "string")
  );
}
