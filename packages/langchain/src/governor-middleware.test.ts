import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GovernorStore } from "@governor/core";
import { signApprovalDecision } from "@governor/identity";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { RulePolicyEngine } from "@governor/policy";
import { type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { Command, MemorySaver } from "@langchain/langgraph";
import { createAgent } from "langchain";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { governorMiddleware } from "./governor-middleware.js";

let dir: string;
let store: GovernorStore;
let searches: number;
let posts: string[];
let wipes: number;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "governor-middleware-"));
  store = new GovernorStore(dir);
  searches = 0;
  posts = [];
  wipes = 0;
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const search = tool(
  async ({ query }) => {
    searches++;
    return query.includes("sf") ? "It's 60 degrees and foggy." : "It's 90 degrees and sunny.";
  },
  { name: "search", description: "Call to surf the web.", schema: z.object({ query: z.string() }) },
);
const postMessage = tool(
  async ({ channel, text }) => {
    posts.push(channel);
    return `posted "${text}" to ${channel}`;
  },
  {
    name: "post_message",
    description: "Post a message to a team channel.",
    schema: z.object({ channel: z.string(), text: z.string().max(280) }),
  },
);
const wipeChannel = tool(
  async () => {
    wipes++;
    return "wiped";
  },
  {
    name: "wipe_channel",
    description: "Delete every message of a channel.",
    schema: z.object({ channel: z.string() }),
  },
);

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
  {
    id: "no-posts-to-board",
    actions: ["post_message"],
    effect: "forbid",
    when: ({ args }) => args.channel === "#board",
    reason: "the agent never posts to #board",
  },
]);

const post = (channel: string) => ({ name: "post_message", args: { channel, text: "SF is foggy" } });

function agentFor(toolCalls: { name: string; args: Record<string, unknown> }[]) {
  const model = new ScenarioChatModel(
    defineScenario({
      name: "weather",
      turns: [
        { when: { lastRole: "human" }, reply: { toolCalls } },
        { when: { lastRole: "tool" }, reply: { text: "Done." } },
      ],
    }),
  );
  return createAgent({
    model,
    tools: [search, postMessage, wipeChannel],
    checkpointer: new MemorySaver(),
    middleware: [
      governorMiddleware({
        store,
        policy,
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
      }),
    ],
  });
}

type Pause = {
  id: string;
  value: { type: string; requests: { requestId: string; args: Record<string, unknown> }[] };
};
type Result = { messages: BaseMessage[]; __interrupt__?: Pause[] };

function pausesByChannel(result: Result): Record<string, Pause> {
  return Object.fromEntries(
    (result.__interrupt__ ?? []).map((pause) => [String(pause.value.requests[0]?.args.channel), pause]),
  );
}

function decide(pause: Pause | undefined, decision: "approve" | "reject" = "approve") {
  const request = pause?.value.requests[0] as never;
  return signApprovalDecision(store.tokenKeys, { approver: "lead:ana", decision, request });
}

function replies(result: Result): ToolMessage[] {
  return result.messages.filter((message): message is ToolMessage => message instanceof ToolMessage);
}

describe("governorMiddleware in createAgent", () => {
  it("runs allowed calls at once, holds each call that needs a human, and runs an approved one exactly once", async () => {
    const agent = agentFor([
      { name: "search", args: { query: "weather in sf" } },
      post("#team"),
      post("#everyone"),
      post("#random"),
    ]);
    const config = { configurable: { thread_id: "mw-1" } };
    const first = (await agent.invoke(
      { messages: [{ role: "user", content: "weather?" }] },
      config,
    )) as Result;
    let pauses = pausesByChannel(first);
    expect(Object.keys(pauses).sort()).toEqual(["#everyone", "#random"]);
    expect(pauses["#everyone"]?.value.type).toBe("approvals");
    expect({ searches, posts }).toEqual({ searches: 1, posts: ["#team"] });

    // Approve #everyone only: it runs once, #random still waits.
    const second = (await agent.invoke(
      new Command({
        resume: { [pauses["#everyone"]?.id as string]: { token: await decide(pauses["#everyone"]) } },
      }),
      config,
    )) as Result;
    pauses = pausesByChannel(second);
    expect(Object.keys(pauses)).toEqual(["#random"]);
    expect({ searches, posts }).toEqual({ searches: 1, posts: ["#team", "#everyone"] });

    // A decision for #everyone's request routed to #random's interrupt decides nothing.
    const stale = await decide(pausesByChannel(first)["#everyone"]);
    const third = (await agent.invoke(
      new Command({ resume: { [pauses["#random"]?.id as string]: { token: stale } } }),
      config,
    )) as Result;
    pauses = pausesByChannel(third);
    expect(Object.keys(pauses)).toEqual(["#random"]);
    expect(posts).toEqual(["#team", "#everyone"]);

    // Reject #random: a tool error the model reads; nothing re-ran on any resume.
    const done = (await agent.invoke(
      new Command({
        resume: { [pauses["#random"]?.id as string]: { token: await decide(pauses["#random"], "reject") } },
      }),
      config,
    )) as Result;
    expect(done.__interrupt__).toBeUndefined();
    expect({ searches, posts }).toEqual({ searches: 1, posts: ["#team", "#everyone"] });
    expect(replies(done).map((reply) => `${reply.status}: ${String(reply.content)}`)).toEqual([
      "success: It's 60 degrees and foggy.",
      'success: posted "SF is foggy" to #team',
      'success: posted "SF is foggy" to #everyone',
      "error: Rejected by lead:ana. The call did not run.",
    ]);
    expect(done.messages.at(-1)?.content).toBe("Done.");
    expect(store.audit.verify().ok).toBe(true);
  });

  it("refuses a denied call, a tool it has no governance for, and malformed arguments, as tool errors", async () => {
    const agent = agentFor([
      post("#board"),
      { name: "wipe_channel", args: { channel: "#team" } },
      { name: "post_message", args: { channel: "#team" } },
    ]);
    const done = (await agent.invoke(
      { messages: [{ role: "user", content: "go" }] },
      { configurable: { thread_id: "mw-2" } },
    )) as Result;
    expect(done.__interrupt__).toBeUndefined();
    const contents = replies(done).map((reply) => `${reply.status}: ${String(reply.content)}`);
    expect(contents).toEqual([
      expect.stringMatching(/^error: Refused by policy: .*never posts to #board/),
      expect.stringMatching(/^error: Refused by tool: no tool named wipe_channel/),
      expect.stringMatching(/^error: Arguments for post_message were refused by its contract: text/),
    ]);
    expect({ posts, wipes }).toEqual({ posts: [], wipes: 0 });
  });
  it("refuses at construction a write tool with neither a precondition nor a sufficient policy", () => {
    expect(() =>
      governorMiddleware({
        store,
        policy,
        agent: { id: "weather", scopes: ["chat:post"] },
        govern: { post_message: { scopes: ["chat:post"], risk: "write" } },
      }),
    ).toThrow(/post_message \(risk write\) needs a precondition/);
  });
});
