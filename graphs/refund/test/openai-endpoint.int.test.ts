import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorRuntime } from "@governor/core";
import { resolveChatModel } from "@governor/models";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRefundSample, PaymentsLedger, PROPOSE_MARKER } from "../src/index.js";

// An OpenAI-compatible chat-completions endpoint on loopback, standing in for vLLM, Ollama or
// OpenAI itself: the graph runs unchanged against @langchain/openai once OPENAI_API_KEY is set.
type ChatRequest = {
  model: string;
  messages: { role: string; content: string | null }[];
  tools?: { function: { name: string; parameters: unknown } }[];
};
const requests: ChatRequest[] = [];
let server: Server;
let baseUrl: string;
let proposedAmount = 120;

function completion(message: Record<string, unknown>, finish: string) {
  return {
    id: `chatcmpl-${requests.length}`,
    object: "chat.completion",
    created: 0,
    model: "fake-model",
    choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason: finish }],
    usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      const request = JSON.parse(body) as ChatRequest;
      requests.push(request);
      const proposing = request.messages.some(
        (m) => m.role === "system" && String(m.content).includes(PROPOSE_MARKER),
      );
      const answer = proposing
        ? completion(
            {
              content: null,
              tool_calls: [
                {
                  id: `call_${requests.length}`,
                  type: "function",
                  function: {
                    name: "issue_refund",
                    arguments: JSON.stringify({
                      orderId: "A-1002",
                      amount: proposedAmount,
                      reason: "never arrived",
                    }),
                  },
                },
              ],
            },
            "tool_calls",
          )
        : completion({ content: "Your refund is on its way." }, "stop");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the refund graph on an OpenAI-compatible endpoint", () => {
  it("runs unchanged with @langchain/openai and the same controls", async () => {
    const dir = mkdtempSync(join(tmpdir(), "governor-openai-"));
    const ledger = new PaymentsLedger();
    const sample = createRefundSample({ ledger });
    const resolved = await resolveChatModel({
      scenario: sample.scenario,
      env: { OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: baseUrl, GOVERNOR_MODEL: "fake-model" },
    });
    expect(resolved.kind).toBe("openai");
    const runtime = new GovernorRuntime({ dir });
    try {
      const input = { customerId: "C-100", orderId: "A-1002", request: "The laptop never arrived." };
      proposedAmount = 120;
      const small = await runtime.start(sample.workflow, input, { model: resolved.model });
      expect(small.status).toBe("completed");
      expect(ledger.refunds.map((r) => r.amount)).toEqual([120]);
      expect(small.state.reply).toBe("Your refund is on its way.");

      // The tool reached the endpoint with its zod contract as JSON Schema.
      const offered = requests[0]?.tools?.find((tool) => tool.function.name === "issue_refund");
      expect(offered?.function.parameters).toMatchObject({
        properties: { amount: { type: "number" } },
        required: ["orderId", "amount", "reason"],
      });

      proposedAmount = 1200;
      const large = await runtime.start(sample.workflow, input, { model: resolved.model });
      expect(large.status).toBe("waiting");
      expect(large.approval?.args).toMatchObject({ amount: 1200 });
      expect(ledger.refunds).toHaveLength(1);
    } finally {
      runtime.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000); // a local HTTP server on the path of every model call: generous for a loaded machine
});
