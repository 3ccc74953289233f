/**
 * LangGraph's own ReAct agent example (`createReactAgent` with a `search` tool and a
 * checkpointer), made governed by swapping its tool list for `governedToolNode`. The model
 * is Governor's offline scenario model, so the example runs without a key or a network.
 *
 * Run it: `npx vitest run packages/core/src/prebuilt/example-react-agent.test.ts`
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signApprovalDecision } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { CedarPolicyEngine, type PolicyEngine, RulePolicyEngine } from "@governor/policy";
import { type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ApprovalBatch } from "../approvals/approval-batch.js";
import type { ApprovalRequest } from "../approvals/approval-request.js";
import { GovernorStore } from "../runtime/governor-store.js";
import { governedToolNode } from "./governed-tool-node.js";

let dir: string;
let store: GovernorStore;
let searches: number;
let posts: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "react-agent-example-"));
  store = new GovernorStore(dir);
  searches = 0;
  posts = [];
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---- LangGraph's example, as its README has it (plus a tool that acts) ----
const search = tool(
  async ({ query }) => {
    searches++;
    if (query.toLowerCase().includes("sf") || query.toLowerCase().includes("san francisco")) {
      return "It's 60 degrees and foggy.";
    }
    return "It's 90 degrees and sunny.";
  },
  {
    name: "search",
    description: "Call to surf the web.",
    schema: z.object({ query: z.string().describe("The query to use in your search.") }),
  },
);
const postMessage = tool(
  async ({ channel, text }) => {
    posts.push(`${channel}: ${text}`);
    return `posted to ${channel}`;
  },
  {
    name: "post_message",
    description: "Post a message to a team channel.",
    schema: z.object({ channel: z.string(), text: z.string().max(280) }),
  },
);

// The offline model: asks for the weather and two posts in one turn, then answers.
const model = new ScenarioChatModel(
  defineScenario({
    name: "weather",
    turns: [
      {
        when: { lastRole: "human" },
        reply: {
          toolCalls: [
            { name: "search", args: { query: "weather in sf" } },
            { name: "post_message", args: { channel: "#team", text: "SF is foggy today" } },
            { name: "post_message", args: { channel: "#everyone", text: "SF is foggy today" } },
          ],
        },
      },
      { when: { lastRole: "tool" }, reply: { text: "It's 60 degrees and foggy in SF." } },
    ],
  }),
);

// ---- What Governor adds: the facts about each tool, a policy, who may approve ----
const policy = new RulePolicyEngine([
  { id: "search", actions: ["search"], effect: "permit", reason: "anyone may search" },
  { id: "post", actions: ["post_message"], effect: "permit", reason: "the agent may post" },
  {
    id: "broadcast-needs-human",
    actions: ["post_message"],
    effect: "require-approval",
    when: ({ args }) => args.channel !== "#team",
    reason: "posts outside #team need a human",
  },
]);

// The same rules in Cedar, as a team that keeps its policies in files would write them.
const cedarPolicy = new CedarPolicyEngine({
  schema: {
    name: "weather.cedarschema",
    text: `namespace Governor {
      entity Agent = { roles: Set<String>, scopes: Set<String>, delegated: Bool, userId?: String };
      entity Tool;
      action search appliesTo { principal: Agent, resource: Tool, context: { args: { query: String } } };
      action post_message appliesTo {
        principal: Agent, resource: Tool, context: { args: { channel: String, text: String } }
      };
    }`,
  },
  policies: [
    {
      name: "weather.cedar",
      text: `@id("search") @reason("anyone may search")
      permit (principal, action == Governor::Action::"search", resource);

      @id("post") @reason("the agent may post")
      permit (principal, action == Governor::Action::"post_message", resource)
      when { principal.scopes.contains("chat:post") };

      @id("broadcast-needs-human") @reason("posts outside #team need a human") @approval("required")
      permit (principal, action == Governor::Action::"post_message", resource)
      when { context.args.channel != "#team" };`,
    },
  ],
});

function governedAgent(version: "v1" | "v2" = "v1", rules: PolicyEngine = policy) {
  const checkpointer = new MemorySaver();
  const tools = governedToolNode([search, postMessage], {
    store,
    policy: rules,
    approvers: (approver) => approver === "lead:ana",
    agent: { id: "weather", scopes: ["web:search", "chat:post"] },
    govern: {
      search: { scopes: ["web:search"], risk: "read" },
      post_message: {
        scopes: ["chat:post"],
        risk: "write",
        sufficient: { reason: "policy decides each post" },
      },
    },
  });
  return createReactAgent({ llm: model, tools, checkpointSaver: checkpointer, version });
}

function approve(request: ApprovalRequest, decision: "approve" | "reject" = "approve") {
  return signApprovalDecision(store.tokenKeys, { approver: "lead:ana", decision, request });
}

type Result = { messages: BaseMessage[]; __interrupt__?: { id: string; value: ApprovalBatch }[] };

describe("LangGraph's ReAct agent example, governed", () => {
  it("searches and posts to #team at once, waits for a human for #everyone, posts once when approved", async () => {
    const app = governedAgent();
    const config = { configurable: { thread_id: "42" } };
    const waiting = (await app.invoke(
      { messages: [{ role: "user", content: "what is the weather in sf" }] },
      config,
    )) as Result;

    const [pause] = waiting.__interrupt__ ?? [];
    expect(pause?.value.requests.map((request) => request.args.channel)).toEqual(["#everyone"]);
    expect({ searches, posts }).toEqual({ searches: 1, posts: ["#team: SF is foggy today"] });

    const request = pause?.value.requests[0] as ApprovalRequest;
    const done = (await app.invoke(
      new Command({ resume: { token: await approve(request) } }),
      config,
    )) as Result;
    expect(done.__interrupt__).toBeUndefined();
    expect(done.messages.at(-1)?.content).toBe("It's 60 degrees and foggy in SF.");
    // The resume re-ran the tools node: the search and the first post were read back, not repeated.
    expect({ searches, posts }).toEqual({
      searches: 1,
      posts: ["#team: SF is foggy today", "#everyone: SF is foggy today"],
    });
    const replies = done.messages.filter((message): message is ToolMessage => message instanceof ToolMessage);
    expect(replies.map((reply) => reply.status)).toEqual(["success", "success", "success"]);
  });

  it("v2 (one Send task per call): each waiting call is its own interrupt, a decision lands only on its own call", async () => {
    const app = governedAgent("v2");
    const config = { configurable: { thread_id: "43" } };
    const waiting = (await app.invoke(
      { messages: [{ role: "user", content: "what is the weather in sf" }] },
      config,
    )) as Result;
    const pauses = waiting.__interrupt__ ?? [];
    expect(pauses).toHaveLength(1);
    const [pause] = pauses;
    const request = pause?.value.requests[0] as ApprovalRequest;

    // A rejection routed by interrupt id: the call becomes a tool error, nothing is posted.
    const done = (await app.invoke(
      new Command({ resume: { [pause?.id as string]: { token: await approve(request, "reject") } } }),
      config,
    )) as Result;
    expect(done.__interrupt__).toBeUndefined();
    expect({ searches, posts }).toEqual({ searches: 1, posts: ["#team: SF is foggy today"] });
    const rejected = done.messages.find(
      (message): message is ToolMessage => message instanceof ToolMessage && message.status === "error",
    );
    expect(rejected?.content).toMatch(/^Rejected by lead:ana/);
  });
  it("decides with Cedar policies the same way, naming the policy that asked for a human", async () => {
    const app = governedAgent("v1", cedarPolicy);
    const config = { configurable: { thread_id: "44" } };
    const waiting = (await app.invoke(
      { messages: [{ role: "user", content: "weather in sf?" }] },
      config,
    )) as Result;
    const request = waiting.__interrupt__?.[0]?.value.requests[0] as ApprovalRequest;
    expect(request.args.channel).toBe("#everyone");
    expect(request.policyIds).toEqual(["broadcast-needs-human"]);
    expect(request.policyVersion).toBe(cedarPolicy.version);
    expect(posts).toEqual(["#team: SF is foggy today"]);

    const done = (await app.invoke(
      new Command({ resume: { token: await approve(request) } }),
      config,
    )) as Result;
    expect(done.__interrupt__).toBeUndefined();
    expect({ searches, posts: posts.length }).toEqual({ searches: 1, posts: 2 });
  });
});
