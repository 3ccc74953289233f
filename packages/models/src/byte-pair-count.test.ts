import { Tiktoken } from "js-tiktoken/lite";
import cl100k from "js-tiktoken/ranks/cl100k_base";
import { describe, expect, it } from "vitest";
import { bytePairRanks, countBytePairTokens } from "./byte-pair-count.js";

const ranks = bytePairRanks(cl100k);
const reference = new Tiktoken(cl100k);

/** A deterministic pseudo-random generator, so a failing sample can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const alphabet = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  ..."     \n\t.,;:!?'\"-_/\\@#$%&*()[]{}<>=+",
  ..."éüßçñ中文日本語한국어🙂",
  "'s",
  "'ll",
  "<|endoftext|>",
];

describe("byte-pair token count", () => {
  it("reads every rank of the file, each token's bytes exactly as Buffer decodes its base64", () => {
    const expected = new Map<string, number>();
    for (const line of cl100k.bpe_ranks.split("\n")) {
      const [, offset, ...tokens] = line.split(" ");
      tokens.forEach((token, index) => {
        expected.set(Buffer.from(token, "base64").toString("latin1"), Number(offset) + index);
      });
    }
    expect(ranks.ranks.size).toBe(expected.size);
    const wrong = [...expected].filter(([bytes, rank]) => ranks.ranks.get(bytes) !== rank);
    expect(wrong.slice(0, 5)).toEqual([]);
    expect(ranks.maxTokenBytes).toBe(Math.max(...[...expected.keys()].map((bytes) => bytes.length)));
  });

  it("counts exactly what js-tiktoken encodes, on text of every kind of piece", () => {
    const next = random(7);
    for (let sample = 0; sample < 300; sample++) {
      const length = Math.floor(next() * 200);
      let text = "";
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      expect(countBytePairTokens(text, ranks), JSON.stringify(text)).toBe(
        reference.encode(text, undefined, []).length,
      );
    }
    const prose = "Refund order A-1002 for dana@example.com: the laptop never arrived, card 4242.";
    expect(countBytePairTokens(prose, ranks)).toBe(reference.encode(prose, undefined, []).length);
  });

  it("counts long runs without whitespace exactly (the pieces js-tiktoken merges slowest)", () => {
    for (const run of [
      "a".repeat(700),
      "ab1".repeat(300),
      "中".repeat(200),
      "!?".repeat(300),
      " ".repeat(500),
    ]) {
      expect(countBytePairTokens(run, ranks)).toBe(reference.encode(run, undefined, []).length);
    }
  });

  // No timing assertion: under the old quadratic merge each of these took longer than any
  // test timeout (16 KB of one letter took 17 s), so finishing at all is the check.
  it.each([
    ["one letter", "a"],
    ["a base64-like alphabet", "aZ9+/x"],
    ["CJK without spaces", "中文"],
    ["punctuation", "!?"],
    ["whitespace", " \t"],
  ])("counts 1 MB of %s", (_name, unit) => {
    const text = unit.repeat(Math.ceil(2 ** 20 / unit.length));
    const tokens = countBytePairTokens(text, ranks);
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThanOrEqual(Buffer.byteLength(text));
  });
});
