import { defineScenario, type ScenarioView } from "@governor/models";

/** Marks the proposing step's system prompt, so the script knows which step asks. */
export const PROPOSE_MARKER = "You work the refund desk";
export const REPLY_MARKER = "Write the reply to the customer";

/**
 * The refund sample's scripted model. It behaves like an eager model told to "be helpful":
 * it refunds whatever the customer names, in whatever form they wrote it. The controls,
 * not the script, decide what happens.
 */
export const refundScenario = defineScenario({
  name: "refund",
  turns: [
    {
      // "the $1,200 …" in the customer's words (after the order summary) → that amount, digits only.
      when: {
        system: new RegExp(PROPOSE_MARKER),
        lastHuman: /Order (A-\d{4})[^:]*\): [\s\S]*?\$([\d,]+(?:\.\d+)?)/,
      },
      reply: ({ match }: ScenarioView) => ({
        text: "I'll refund that for you.",
        toolCalls: [
          {
            name: "issue_refund",
            args: {
              orderId: match?.[1],
              amount: Number(match?.[2]?.replace(/,/g, "")),
              reason: "customer request",
            },
          },
        ],
      }),
    },
    {
      // "refund it all, in dollars" → the model passes the words on as the amount: a type-confused payload.
      when: { system: new RegExp(PROPOSE_MARKER), lastHuman: /Order (A-\d{4})[^:]*\): [\s\S]*?everything/i },
      reply: ({ match }: ScenarioView) => ({
        text: "Refunding the full amount.",
        toolCalls: [
          {
            name: "issue_refund",
            args: { orderId: match?.[1], amount: "everything they paid", reason: "customer request" },
          },
        ],
      }),
    },
    {
      when: { system: new RegExp(PROPOSE_MARKER) },
      reply: { text: "Could you tell me which order and how much you'd like refunded?" },
    },
    { when: { system: new RegExp(REPLY_MARKER), lastToolResult: /"refundId"/ }, reply: replyAfterRefund },
    {
      when: { system: new RegExp(REPLY_MARKER), lastToolResult: /Rejected by/ },
      reply: {
        text: "A supervisor reviewed your request and could not approve this refund. We'll be in touch about other options.",
      },
    },
    {
      when: { system: new RegExp(REPLY_MARKER), lastToolResult: /lacks scope/ },
      reply: {
        text: "I can't issue refunds on your behalf: your account may view orders but not refund them. A colleague with refund rights will follow up.",
      },
    },
    {
      when: { system: new RegExp(REPLY_MARKER), lastToolResult: /Refused by policy/ },
      reply: {
        text: "I'm sorry, I can't issue a refund on this account right now. A specialist will contact you.",
      },
    },
    {
      when: { system: new RegExp(REPLY_MARKER), lastToolResult: /refused by its contract|Precondition/ },
      reply: {
        text: "I couldn't process that refund as requested. Could you confirm the order and the amount?",
      },
    },
    {
      when: { system: new RegExp(REPLY_MARKER) },
      reply: { text: "Thanks for reaching out; is there anything else I can help with?" },
    },
  ],
});

function replyAfterRefund(view: ScenarioView) {
  const result = JSON.parse(String(view.last?.content ?? "{}")) as {
    refundId?: string;
    amount?: number;
    orderId?: string;
  };
  return {
    text: `Done: refund ${result.refundId} of $${result.amount} for order ${result.orderId} is on its way.`,
  };
}
