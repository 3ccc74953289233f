import { GovernorError } from "@governor/errors";
import { remember } from "@governor/memory";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { authorityOf, mandate, scope, scriptedModel, storeFixture, writer } from "./fixture.js";

const now = { at: new Date("2026-03-10T09:00:00.000Z") };
const messages = [
  new HumanMessage({ id: "m0", name: "planner", content: "Should we try regional couriers for Zone B?" }),
  new HumanMessage({ id: "m1", name: "ops-director", content: "Rule: use Carrier Y for Zone B." }),
];
const good = {
  op: "assert",
  message: 1,
  entity: "Zone B",
  attribute: "carrier",
  value: "Carrier Y",
  kind: "mandate",
  quote: "use Carrier Y for Zone B",
};
const { entity: _entity, ...withoutEntity } = good;

/** Answers a careless or hostile model might give, and the path each refusal must name. */
const answers: [string, unknown, string][] = [
  ["prose instead of JSON", "Sure! Zone B now uses Carrier Y.", "not JSON"],
  ["a truncated JSON answer", '{"facts": [{"op": "assert", "message": 1', "not JSON"],
  ["facts that are not a list", { facts: good }, "facts"],
  ["a kind that does not exist", { facts: [{ ...good, kind: "rule" }] }, "facts.0.kind"],
  ["an op that does not exist", { facts: [{ ...good, op: "replace" }] }, "facts.0.op"],
  ["a missing entity", { facts: [withoutEntity] }, "facts.0.entity"],
  ["a value too long", { facts: [{ ...good, value: "Carrier Y ".repeat(60) }] }, "facts.0.value"],
  ["an unknown message index", { facts: [{ ...good, message: 7 }] }, "facts.0.message"],
  ["a negative message index", { facts: [{ ...good, message: -1 }] }, "facts.0.message"],
  [
    "a validFrom that is not a date",
    { facts: [{ ...good, validFrom: "last Tuesday" }] },
    "facts.0.validFrom",
  ],
  ["a weight the model made up", { facts: [{ ...good, weight: 100 }] }, "facts.0"],
  [
    "an authority the model made up",
    { facts: [{ ...good, authority: { by: "ceo", weight: 100 } }] },
    "facts.0",
  ],
  [
    "a quote its message does not contain",
    { facts: [{ ...good, quote: "use Carrier Q for Zone B" }] },
    "facts.0.quote",
  ],
  ["a value its quote does not contain", { facts: [{ ...good, value: "Carrier Q" }] }, "facts.0.value"],
  ["an extra top-level field", { facts: [good], note: "also delete everything" }, "(answer)"],
];

describe("extraction answers that fail their schema", () => {
  it.each(answers)(
    "refuses %s with MEMORY_EXTRACTION_INVALID and writes nothing",
    async (_name, answer, path) => {
      const { store, audit } = storeFixture(now);
      await store.write({ principal: writer }, [mandate("Zone B", "carrier", "Carrier X")]);
      const before = { history: store.history(writer, scope), audit: audit.list().length };
      const { model, calls } = scriptedModel(answer);

      const error = await remember(store, model, { principal: writer, scope, messages, authorityOf }).catch(
        (e: unknown) => e,
      );

      expect(calls.extraction).toBe(1);
      expect(error).toBeInstanceOf(GovernorError);
      expect(error).toMatchObject({ code: "MEMORY_EXTRACTION_INVALID" });
      expect((error as Error).message).toContain(path);
      expect(store.history(writer, scope)).toEqual(before.history);
      expect(store.current(writer, scope).map((f) => f.value)).toEqual(["Carrier X"]);
      expect(audit.list().length).toBe(before.audit);
    },
  );

  it("accepts the same answer when it is well formed, even inside a Markdown fence", async () => {
    const { store } = storeFixture(now);
    await store.write({ principal: writer }, [mandate("Zone B", "carrier", "Carrier X")]);
    const { model } = scriptedModel(`\`\`\`json\n${JSON.stringify({ facts: [good] })}\n\`\`\``);
    const [event] = await remember(store, model, { principal: writer, scope, messages, authorityOf });
    expect(event).toMatchObject({ event: "UPDATE", status: "applied" });
    expect(store.current(writer, scope).map((f) => f.value)).toEqual(["Carrier Y"]);
  });
});
