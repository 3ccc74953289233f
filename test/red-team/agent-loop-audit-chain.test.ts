import path from "node:path";
import { type GovernorRuntime, GovernorStore } from "@governor/core";
import { issueDelegationToken } from "@governor/identity";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { agentDesk, credit, DESK_AGENT, deskModel, deskPolicy, signFor } from "./support/agent-desk.js";
import { auditOf, type Harness, harness } from "./support/harness.js";

/**
 * One audit chain for a multi-agent run (issue 7, item 6): a delegated run in which the desk
 * hands work to the specialist only after a supervisor signs the handoff off, the specialist
 * is refused a credit outside its scopes and drafts a letter. Every record of the run names
 * the agent that acted, for the user it acted for, and the chain verifies; a record moved
 * from one agent to the other is caught.
 */

let h: Harness;
let runtime: GovernorRuntime;

beforeEach(() => {
  h = harness();
  runtime = h.runtime;
});
afterEach(() => h.cleanup());

const handoff = (task: string) => ({ name: "handoff_to_specialist", args: { task } });
const letter = (account: string) => ({ name: "draft_letter", args: { account, text: "Dear holder" } });

async function delegatedTeamRun() {
  const desk = agentDesk({ team: true, policy: deskPolicy("approval") });
  const model = deskModel(
    [{ toolCalls: [handoff("write to A-1")] }],
    [{ toolCalls: [credit("A-1", 50), letter("A-1")] }],
  );
  const token = await issueDelegationToken(runtime.store.tokenKeys, {
    agentId: DESK_AGENT,
    userId: "U-7",
    scopes: ["accounts:read", "credits:write", "letters:write"],
  });
  const waiting = await runtime.start(
    desk.workflow,
    { request: "write to A-1" },
    {
      model: model.model,
      delegation: { token },
    },
  );
  const [asked] = waiting.approvals ?? [];
  if (!asked) throw new Error("the handoff should wait for a supervisor");
  const outcome = await runtime.resume(
    desk.workflow,
    waiting.threadId,
    { token: await signFor(runtime.store.tokenKeys, asked) },
    { model: model.model },
  );
  return { desk, outcome, threadId: waiting.threadId };
}

describe("agent loop: one audit chain with per-agent principals", () => {
  it("AC-1 every record names the agent that acted for the user; the approval names its approver; the chain verifies", async () => {
    const { desk, outcome, threadId } = await delegatedTeamRun();

    expect(outcome.status).toBe("completed");
    expect(desk.effects.letters).toEqual(["A-1"]);
    expect(desk.effects.credits).toEqual([]);
    const byAgent = new Map<string, Set<string>>();
    for (const record of auditOf(runtime, threadId)) {
      if (!record.node) continue;
      const agent = record.node.split(".")[0] as string;
      byAgent.set(agent, (byAgent.get(agent) ?? new Set()).add(String(record.principal)));
    }
    expect([...(byAgent.get("desk") ?? [])]).toEqual([`agent:${DESK_AGENT}/user:U-7`]);
    expect([...(byAgent.get("specialist") ?? [])]).toEqual(["agent:specialist/user:U-7"]);
    const approved = auditOf(runtime, threadId, "approval", "approved");
    expect(approved).toHaveLength(1);
    expect(approved[0]).toMatchObject({
      tool: "handoff_to_specialist",
      data: expect.objectContaining({ approver: "supervisor:sam" }),
    });
    expect(auditOf(runtime, threadId, "identity", "deny")[0]).toMatchObject({
      node: "specialist.gate",
      tool: "post_credit",
      principal: "agent:specialist/user:U-7",
    });
    expect(runtime.store.audit.verify()).toMatchObject({ ok: true });
  });

  it("AC-2 a specialist's record rewritten to look like the desk's breaks the chain at that record", async () => {
    const { threadId } = await delegatedTeamRun();
    const records = runtime.store.audit.list(threadId);
    const target = records.find((record) => record.node === "specialist.gate" && record.kind === "identity");
    if (!target) throw new Error("the specialist's refusal should be on record");
    runtime.close();

    const db = new Database(path.join(h.dir, "governor.db"));
    try {
      db.prepare("UPDATE audit_records SET principal = ? WHERE seq = ?").run(
        `agent:${DESK_AGENT}/user:U-7`,
        target.seq,
      );
    } finally {
      db.close();
    }

    const store = new GovernorStore(h.dir);
    try {
      expect(store.audit.verify()).toMatchObject({ ok: false, brokenAt: target.seq });
    } finally {
      store.close();
    }
  });
});
