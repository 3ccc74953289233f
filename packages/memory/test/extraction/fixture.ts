import { agentPrincipal } from "@governor/identity";
import type { AssertFact, AuthorityOf, SourceAuthority } from "@governor/memory";
import { MemoryStore } from "@governor/memory";
import { defineScenario, ScenarioChatModel } from "@governor/models/testing";
import { SqliteAuditJournal } from "@governor/observability";
import { BaseMessage, ToolMessage } from "@langchain/core/messages";
import Database from "better-sqlite3";

export const scope = { tenant: "acme" };
export const writer = agentPrincipal("router", ["memory:write:acme", "memory:attest:*:100"]);
export const director = { by: "ops-director", weight: 90 };
export const planner = { by: "planner", weight: 40 };

const people: Record<string, SourceAuthority> = {
  "ops-director": director,
  planner,
  "customer-ann": { by: "customer:ann", weight: 20, maxKind: "preference" },
};

/**
 * The caller's rule for authority: a person by the message's name, a tool at weight 10
 * (whatever it says), the assistant at weight 5. The model is never asked.
 */
export const authorityOf: AuthorityOf = (item) => {
  if (ToolMessage.isInstance(item)) return { by: `tool:${item.name ?? "unknown"}`, weight: 10 };
  if (BaseMessage.isInstance(item)) {
    if (item.getType() === "ai") return { by: "assistant", weight: 5 };
    const person = item.name ? people[item.name] : undefined;
    if (!person) throw new Error(`no authority for ${item.name}`);
    return person;
  }
  return { by: `tool:${item.tool}`, weight: 10 };
};

/**
 * A scripted model answering the extraction prompt with `extraction` and the matching prompt
 * with `matching`, as plain JSON text; `calls` counts what it was really asked.
 */
export function scriptedModel(extraction: unknown, matching?: unknown) {
  const calls = { extraction: 0, matching: 0 };
  const text = (answer: unknown) => (typeof answer === "string" ? answer : JSON.stringify(answer));
  const model = new ScenarioChatModel(
    defineScenario({
      name: "memory-extraction",
      turns: [
        {
          when: { system: /You extract durable facts/ },
          reply: () => {
            calls.extraction += 1;
            return { text: text(extraction) };
          },
        },
        {
          when: { system: /You match new candidate facts/ },
          reply: () => {
            calls.matching += 1;
            if (matching === undefined) throw new Error("the matching model was not expected to be asked");
            return { text: text(matching) };
          },
        },
      ],
    }),
  );
  return { model, calls };
}

export function storeFixture(now: { at: Date }) {
  const db = new Database(":memory:");
  const audit = new SqliteAuditJournal(db);
  const store = new MemoryStore(db, { audit, now: () => now.at });
  return { db, audit, store };
}

export const mandate = (entity: string, attribute: string, value: string): AssertFact => ({
  scope,
  entity,
  attribute,
  value,
  kind: "mandate",
  authority: director,
  source: { type: "manual" },
});
