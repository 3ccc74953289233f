import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { ScenarioChatModel, ScenarioExhaustedError } from "./scenario-chat-model.js";
import { defineScenario, type ScenarioView } from "./scenario-script.js";

const refundTool = {
  type: "function" as const,
  function: {
    name: "issue_refund",
    description: "Refund an order",
    parameters: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
  },
};

const script = defineScenario({
  name: "desk",
  turns: [
    {
      when: { system: /refund desk/, lastHuman: /refund \$(\d+) on (A-\d+)/ },
      reply: ({ match }: ScenarioView) => ({
        text: `Refunding ${match?.[1]} on ${match?.[2]}`,
        toolCalls: [{ name: "issue_refund", args: { orderId: match?.[2], amount: Number(match?.[1]) } }],
      }),
    },
    { when: { system: /refund desk/, lastHuman: /refund/ }, reply: { text: "second turn: which order?" } },
    { when: { system: /refund desk/ }, reply: { text: "third turn: how can I help?" } },
    {
      when: { system: /reply desk/, lastToolResult: /"refundId"/ },
      reply: { text: "Your refund is on its way." },
    },
    {
      when: { system: /reply desk/, lastToolResult: /Refused/ },
      reply: { text: "Sorry, I could not refund that." },
    },
  ],
});

const ask = (human: string, system = "You work the refund desk") => [
  new SystemMessage(system),
  new HumanMessage(human),
];

/** A conversation after a refund call, answered by `toolResult`. */
function afterToolCall(toolResult: string) {
  return [
    new SystemMessage("You are the reply desk"),
    new HumanMessage("please refund $40 on A-1"),
    new AIMessage({
      content: "",
      tool_calls: [{ id: "call_1", name: "issue_refund", args: { amount: 40 }, type: "tool_call" }],
    }),
    new ToolMessage({ tool_call_id: "call_1", content: toolResult }),
  ];
}

describe("ScenarioChatModel", () => {
  it("answers with the first turn whose conditions all hold", async () => {
    const model = new ScenarioChatModel(script);

    expect((await model.invoke(ask("please refund my order"))).content).toBe("second turn: which order?");
    expect((await model.invoke(ask("hello there"))).content).toBe("third turn: how can I help?");
  });

  it("passes the pattern's capture groups to the reply function", async () => {
    const reply = await new ScenarioChatModel(script).invoke(ask("please refund $40 on A-1001"));

    expect(reply.content).toBe("Refunding 40 on A-1001");
    expect(reply.tool_calls).toHaveLength(1);
    expect(reply.tool_calls?.[0]).toMatchObject({
      name: "issue_refund",
      args: { orderId: "A-1001", amount: 40 },
    });
  });

  it("matches on the newest tool result", async () => {
    const model = new ScenarioChatModel(script);

    expect((await model.invoke(afterToolCall('{"refundId":"R-1"}'))).content).toBe(
      "Your refund is on its way.",
    );
    expect((await model.invoke(afterToolCall("Refused by policy: flagged"))).content).toBe(
      "Sorry, I could not refund that.",
    );
  });

  it("does not match lastToolResult when the newest message is not a tool result", async () => {
    const model = new ScenarioChatModel(script);
    const messages = [...afterToolCall('{"refundId":"R-1"}'), new HumanMessage("thanks!")];

    await expect(model.invoke(messages)).rejects.toBeInstanceOf(ScenarioExhaustedError);
  });

  it("shows tools bound with bindTools to the script, and gates turns on them", async () => {
    const seen: (readonly string[])[] = [];
    const noting = (text: string) => (view: ScenarioView) => {
      seen.push(view.tools);
      return { text };
    };
    const model = new ScenarioChatModel(
      defineScenario({
        name: "tools",
        turns: [
          { when: { toolsBound: ["issue_refund"] }, reply: noting("tools bound") },
          { reply: noting("no tools") },
        ],
      }),
    );

    const bound = await model.bindTools([refundTool]).invoke(ask("hi"));
    const plain = await model.invoke(ask("hi"));

    expect(bound.content).toBe("tools bound");
    expect(plain.content).toBe("no tools");
    expect(seen).toEqual([["issue_refund"], []]);
  });

  it("gives tool calls ids that depend only on the script and the conversation", async () => {
    const messages = ask("please refund $40 on A-1001");
    const first = await new ScenarioChatModel(script).invoke(messages);
    const again = await new ScenarioChatModel(script).invoke(messages);
    const later = await new ScenarioChatModel(script).invoke([
      ...messages,
      new AIMessage("earlier answer"),
      new HumanMessage("please refund $40 on A-1001"),
    ]);

    expect(first.tool_calls?.[0]?.id).toBe("call_desk_0_0");
    expect(again.tool_calls?.[0]?.id).toBe(first.tool_calls?.[0]?.id);
    expect(later.tool_calls?.[0]?.id).toBe("call_desk_1_0");
  });

  it("reports token usage as a real endpoint would", async () => {
    const reply = await new ScenarioChatModel(script).invoke(ask("please refund $40 on A-1001"));

    expect(reply.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(reply.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(reply.usage_metadata?.total_tokens).toBe(
      (reply.usage_metadata?.input_tokens ?? 0) + (reply.usage_metadata?.output_tokens ?? 0),
    );
  });

  it("fails loudly with ScenarioExhaustedError when no turn matches and there is no fallback", async () => {
    const model = new ScenarioChatModel(script);

    const error = await model
      .invoke(ask("hello", "You are an unrelated assistant"))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ScenarioExhaustedError);
    expect((error as ScenarioExhaustedError).script).toBe("desk");
    expect((error as Error).message).toContain("hello");
  });

  it("answers with the fallback when no turn matches and one is given", async () => {
    const model = new ScenarioChatModel({ ...script, fallback: { text: "I can only help with refunds." } });

    expect((await model.invoke(ask("hello", "You are an unrelated assistant"))).content).toBe(
      "I can only help with refunds.",
    );
  });
});
