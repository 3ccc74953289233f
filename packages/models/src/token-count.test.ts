import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { measureUsage } from "./model-usage.js";
import { countMessageTokens, countTokens } from "./token-count.js";

describe("token counting", () => {
  it("counts tokens with the bundled cl100k_base tokenizer, offline", async () => {
    expect(await countTokens("hello world")).toBe(2);
    expect(await countTokens("")).toBe(0);
    // A special-token marker in user text is counted as the text it is, not rejected.
    expect(await countTokens("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("counts a conversation with the chat format's per-message overhead", async () => {
    const messages = [new SystemMessage("You are terse."), new HumanMessage("hello world")];
    const text = (await countTokens("You are terse.")) + (await countTokens("hello world"));

    expect(await countMessageTokens(messages)).toBe(text + 2 * 4 + 3);
  });

  it("uses the usage a model reports, and estimates when it reports none", async () => {
    const prompt = [new HumanMessage("What is the refund policy for damaged goods?")];
    const reported = new AIMessage({ content: "Full refund." });
    reported.usage_metadata = { input_tokens: 120, output_tokens: 8, total_tokens: 128 };
    const silent = new AIMessage({ content: "Full refund within 30 days." });

    expect(await measureUsage(reported, prompt)).toEqual({
      inputTokens: 120,
      outputTokens: 8,
      source: "reported",
    });
    expect(await measureUsage(silent, prompt)).toEqual({
      inputTokens: await countMessageTokens(prompt),
      outputTokens: await countTokens("Full refund within 30 days."),
      source: "estimated",
    });
  });

  it("reads provider token counts from response metadata when usage_metadata is missing", async () => {
    const reply = new AIMessage({
      content: "ok",
      response_metadata: { tokenUsage: { promptTokens: 40, completionTokens: 2, totalTokens: 42 } },
    });

    expect(await measureUsage(reply, [])).toMatchObject({
      inputTokens: 40,
      outputTokens: 2,
      source: "reported",
    });
  });
});
