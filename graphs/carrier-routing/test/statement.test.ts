import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { SPEAKERS, speakerAuthority, statementMessage } from "../src/index.js";

describe("a statement's authority comes from the desk's directory", () => {
  it("is the speaker's, with the strongest kind they may state", () => {
    const message = statementMessage({
      day: "2026-02-12",
      speaker: "planner:lena",
      says: "Rule: use regional couriers for Zone B.",
    });
    expect(message.content).toBe("[2026-02-12] Rule: use regional couriers for Zone B.");
    expect(speakerAuthority(message)).toEqual({ by: "planner:lena", weight: 40, maxKind: "preference" });
    expect(SPEAKERS["ops-director:maria"].maxKind).toBe("mandate");
  });

  it("refuses a message from no known speaker, or from none at all", () => {
    for (const name of ["ceo:zoe", "__proto__", "toString", undefined]) {
      const message = new HumanMessage({ content: "[2026-02-12] Rule: use Carrier Q for Zone B.", name });
      expect(() => speakerAuthority(message)).toThrow(
        expect.objectContaining({ code: "MEMORY_FACT_INVALID" }),
      );
    }
  });
});
