import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CLI_TEST_MS, governorOnTempStore } from "./support/governor-bin.js";

// A scripted offline run is not real spend: the CLI prices the scenario model at $0, and a
// price file (GOVERNOR_PRICES) is the one way to give it another price. The real binary.
const cli = governorOnTempStore();
afterAll(() => cli.dispose());

describe("what an offline run costs", () => {
  it(
    "governor cost and status show $0 for a scripted run, tokens still counted",
    () => {
      expect(cli.governor("run", "refund", "--case", "small-refund").code).toBe(0);
      const cost = JSON.parse(cli.governor("cost", "--json").out);
      expect(cost.totals).toMatchObject({ runs: 1, costUsd: 0, costPerRun: 0 });
      expect(cost.totals.inputTokens).toBeGreaterThan(0);
      expect(cli.governor("status").out).toMatch(/model spend on \S+ \(UTC\): none/);
    },
    CLI_TEST_MS,
  );

  it(
    "a price file prices it, and a malformed one is refused before any run starts",
    () => {
      const priced = join(cli.dir, "prices.json");
      writeFileSync(priced, JSON.stringify({ "scenario:*": { inputPerMTok: 1, outputPerMTok: 4 } }));
      const withPrices = governorWithPrices(priced);
      expect(withPrices("run", "refund", "--case", "small-refund").code).toBe(0);
      expect(JSON.parse(cli.governor("cost", "--json").out).totals.costUsd).toBeGreaterThan(0);

      for (const [name, content, why] of [
        ["not-json.json", "{", "cannot be read as JSON"],
        ["array.json", "[]", "is not an object"],
        [
          "negative.json",
          JSON.stringify({ "scenario:*": { inputPerMTok: -1, outputPerMTok: 0 } }),
          "prices scenario:*",
        ],
        [
          "words.json",
          JSON.stringify({ "gpt-4o": { inputPerMTok: "cheap", outputPerMTok: 1 } }),
          "prices gpt-4o",
        ],
      ] as const) {
        const file = join(cli.dir, name);
        writeFileSync(file, content);
        const refused = governorWithPrices(file)("run", "refund", "--case", "small-refund");
        expect(refused.code, name).toBe(1);
        expect(refused.err).toContain(`error [CONFIG_INVALID]: GOVERNOR_PRICES (${file}) ${why}`);
      }
      const missing = governorWithPrices(join(cli.dir, "nope.json"))("status");
      expect(missing.err).toContain("cannot be read as JSON");
    },
    CLI_TEST_MS,
  );
});

/** The same store, with GOVERNOR_PRICES set for one command. */
function governorWithPrices(file: string) {
  return (...args: string[]) => {
    const other = governorOnTempStore({ GOVERNOR_DIR: cli.dir, GOVERNOR_PRICES: file });
    try {
      return other.governor(...args);
    } finally {
      other.dispose();
    }
  };
}
