import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { MAX_REPORTED_TOKENS, measureUsage, reportedUsage } from "./model-usage.js";
import { countMessageTokens, countTokens } from "./token-count.js";

const prompt = [new HumanMessage("Please refund order A-1002, the laptop never arrived at my address.")];

function replyReporting(input: unknown, output: unknown): AIMessage {
  const reply = new AIMessage({ content: "Done." });
  reply.usage_metadata = { input_tokens: input, output_tokens: output, total_tokens: 0 } as never;
  return reply;
}

describe("model-reported usage is validated before budgets count it", () => {
  it("counts the estimate, and names the anomaly, for usage no budget may trust", async () => {
    const estimate = {
      inputTokens: await countMessageTokens(prompt),
      outputTokens: await countTokens("Done."),
    };
    for (const [input, output, problem] of [
      [-5000, 10, "input tokens -5000, not a non-negative integer"],
      [40, Number.NaN, "output tokens NaN"],
      [40, "12", "output tokens as string"],
      [12.5, 3, "input tokens 12.5"],
      [40, Number.POSITIVE_INFINITY, "output tokens Infinity"],
      [MAX_REPORTED_TOKENS + 1, 3, `beyond ${MAX_REPORTED_TOKENS}`],
      [40, undefined, "output tokens as missing"],
    ] as const) {
      const measured = await measureUsage(replyReporting(input, output), prompt);
      expect(measured).toMatchObject({ ...estimate, source: "estimated" });
      expect(measured.anomaly).toContain(problem);
      expect(reportedUsage(replyReporting(input, output))).toBeUndefined();
    }
  });

  it("takes a report far below the prompt's size for an undercount", async () => {
    const long = [new HumanMessage("The courier left the parcel at the wrong address. ".repeat(40))];
    const measured = await measureUsage(replyReporting(1, 1), long);
    expect(measured.source).toBe("estimated");
    expect(measured.inputTokens).toBe(await countMessageTokens(long));
    expect(measured.anomaly).toMatch(/reported 1 input tokens for a prompt of about \d+/);
  });

  it("trusts a sound report, and refuses provider counts given as strings", async () => {
    expect(await measureUsage(replyReporting(30, 4), prompt)).toEqual({
      inputTokens: 30,
      outputTokens: 4,
      source: "reported",
    });
    const stringly = new AIMessage({
      content: "ok",
      response_metadata: { tokenUsage: { promptTokens: "40", completionTokens: "2" } },
    });
    expect((await measureUsage(stringly, prompt)).anomaly).toContain("as string");
  });
});
