import { describe, expect, it } from "vitest";
import { nearKeys, normalizeKey } from "./key-match.js";

const key = (entity: string, attribute: string) => ({ entity, attribute });

describe("key matching without a model", () => {
  it("treats case, spacing and punctuation around words as the same key", () => {
    expect(normalizeKey(key("Zone B", "carrier"))).toBe(normalizeKey(key("  zone   b ", "Carrier")));
    expect(normalizeKey(key("zone-b", "carrier:"))).toBe(normalizeKey(key("Zone B", "carrier")));
    expect(normalizeKey(key("Zone B", "carrier"))).not.toBe(normalizeKey(key("Zone C", "carrier")));
    // The separator keeps "a b" + "c" apart from "a" + "b c".
    expect(normalizeKey(key("zone b", "carrier"))).not.toBe(normalizeKey(key("zone", "b carrier")));
  });

  it("finds keys whose words nest in both parts near, and a differing word on both sides far", () => {
    expect(nearKeys(key("Zone B", "carrier"), key("zone b", "shipping carrier"))).toBe(true);
    expect(nearKeys(key("Zone B", "carriers"), key("the Zone B", "carrier"))).toBe(true);
    expect(nearKeys(key("Zone B", "carrier"), key("Zone C", "carrier"))).toBe(false);
    expect(nearKeys(key("Zone B", "carrier"), key("Zone B", "delivery window"))).toBe(false);
    expect(nearKeys(key("Zone B", "carrier"), key("the", "carrier"))).toBe(false);
  });
});
