import { describe, expect, it } from "vitest";
import { durationSeconds } from "./duration.js";

describe("durationSeconds", () => {
  it.each([
    [90, 90],
    ["90s", 90],
    ["15m", 900],
    ["15 minutes", 900],
    ["2h", 7200],
    ["1d", 86_400],
  ])("reads %j as %i seconds", (value, seconds) => {
    expect(durationSeconds(value, "expiresIn")).toBe(seconds);
  });

  it.each([0, -5, 1.5, "", "15", "-15m", "15x", "1w"])("refuses %j with CONFIG_INVALID", (value) => {
    expect(() => durationSeconds(value, "expiresIn")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringMatching(/expiresIn/) }),
    );
  });
});
