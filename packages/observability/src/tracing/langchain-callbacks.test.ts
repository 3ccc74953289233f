import { createHash } from "node:crypto";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { RunnableLambda } from "@langchain/core/runnables";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { type OtlpReceiver, startOtlpReceiver } from "../otlp-receiver.js";
import { tracingCallbacks } from "./langchain-callbacks.js";
import { DISABLED_TRACING, startTracing } from "./start-tracing.js";
import type { TracingHandle } from "./tracing-handle.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let receiver: OtlpReceiver | undefined;
let tracing: TracingHandle | undefined;
afterEach(async () => {
  await tracing?.shutdown();
  await receiver?.close();
  tracing = undefined;
  receiver = undefined;
});

describe("tracingCallbacks", () => {
  it("traces a user's own LangChain model call into the Governor thread's trace, beside Governor's spans", async () => {
    receiver = await startOtlpReceiver();
    tracing = await startTracing({
      env: { LANGFUSE_PUBLIC_KEY: "pk", LANGFUSE_SECRET_KEY: "sk", LANGFUSE_BASE_URL: receiver.url },
    });
    const thread = "t-own-agent";
    const callbacks = await tracingCallbacks({ threadId: thread, userId: "user:ann", tracing });
    const model = new FakeListChatModel({ responses: ["The order ships Monday."] });
    const agent = RunnableLambda.from(async (question: string, config) =>
      model.invoke(question, config),
    ).withConfig({
      runName: "my_agent",
    });

    await agent.invoke("When does A-1 ship?", { callbacks });
    await awaitAllCallbacks();
    // A span Governor's prebuilt tool node would write for the same thread.
    trace.getTracer("@governor/core").startSpan("execute_tool lookup_order").end();
    const report = await tracing.shutdown();

    expect(report).toMatchObject({ failed: 0, dropped: 0 });
    const spans = receiver.spans();
    const generation = spans.find((span) => span.attributes["langfuse.observation.type"] === "generation");
    expect(generation?.traceId).toBe(sha256(thread).slice(0, 32));
    expect(String(generation?.attributes["langfuse.observation.output"])).toContain(
      "The order ships Monday.",
    );
    const chain = spans.find((span) => span.name === "my_agent");
    expect(generation?.parentSpanId).toBe(chain?.spanId);
    // The chain is the root of the user's calls: a child of the run's virtual root, as Governor's segments are.
    expect(chain?.parentSpanId).toBe(sha256(`governor:run:${thread}`).slice(0, 16));
    expect(chain?.attributes).toMatchObject({ "session.id": thread, "user.id": "user:ann" });
    expect(spans.map((span) => span.name)).toContain("execute_tool lookup_order");
  });

  it("builds no handler when tracing is disabled", async () => {
    expect(await tracingCallbacks({ threadId: "t", tracing: DISABLED_TRACING })).toEqual([]);
  });
});
