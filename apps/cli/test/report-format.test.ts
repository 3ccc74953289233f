import { describe, expect, it } from "vitest";
import { countIn, duration, fit, usd, wrap } from "../src/report-format.js";

describe("report formatting", () => {
  it("wraps at spaces and cuts words longer than a line, never past the width", () => {
    expect(wrap("refunds above $500 need a supervisor's approval", 20)).toEqual([
      "refunds above $500",
      "need a supervisor's",
      "approval",
    ]);
    expect(wrap(`result ${"x".repeat(25)}`, 10)).toEqual(["result xxx", "xxxxxxxxxx", "xxxxxxxxxx", "xx"]);
    const text = "a ".repeat(50) + "b".repeat(200) + " c".repeat(50);
    for (const width of [1, 7, 52, 80]) {
      const lines = wrap(text, width);
      expect(lines.every((line) => line.length <= width)).toBe(true);
      expect(lines.join("").replace(/\s/g, "")).toBe(text.replace(/\s/g, ""));
    }
    expect(wrap("", 10)).toEqual([""]);
  });

  it("fits text and counts to a width", () => {
    expect(fit("agent:support/user:U-7", 15)).toBe("agent:support/…");
    expect(fit("short", 15)).toBe("short");
    expect(countIn(1_234, 8)).toBe("1,234");
    expect(countIn(12_345_678, 8)).toBe("12.3M");
    expect(countIn(123_456, 5)).toBe("123k");
  });

  it("prints dollars and durations with the precision they need", () => {
    expect(usd(0)).toBe("$0");
    expect(usd(0.000305)).toBe("$0.000305");
    expect(usd(1.5)).toBe("$1.5000");
    expect(usd(1234.5)).toBe("$1234.50");
    expect(duration(42)).toBe("42ms");
    expect(duration(8_500)).toBe("8.5s");
    expect(duration(184_000)).toBe("3m 04s");
    expect(duration(7_500_000)).toBe("2h 05m");
    expect(duration(3 * 86_400_000 + 4 * 3_600_000)).toBe("3d 04h");
  });
});
