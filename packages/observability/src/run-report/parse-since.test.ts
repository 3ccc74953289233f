import { describe, expect, it } from "vitest";
import { parseSince } from "./parse-since.js";

const now = new Date("2026-12-02T12:00:00.000Z");

describe("parseSince", () => {
  it("reads a date as midnight UTC, a date and time as given", () => {
    expect(parseSince("2026-12-01", now).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(parseSince("2026-12-01T09:30Z", now).toISOString()).toBe("2026-12-01T09:30:00.000Z");
    expect(parseSince("2026-12-01T09:30:00+01:00", now).toISOString()).toBe("2026-12-01T08:30:00.000Z");
  });

  it("reads a span back from now", () => {
    expect(parseSince("30m", now).toISOString()).toBe("2026-12-02T11:30:00.000Z");
    expect(parseSince("24h", now).toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(parseSince("7d", now).toISOString()).toBe("2026-11-25T12:00:00.000Z");
    expect(parseSince("2w", now).toISOString()).toBe("2026-11-18T12:00:00.000Z");
  });

  it.each(["yesterday", "12/1/2026", "2026-13-45", "7 days", "", "-1d"])(
    "refuses %j with CONFIG_INVALID",
    (text) => {
      expect(() => parseSince(text, now)).toThrow(
        expect.objectContaining({ code: "CONFIG_INVALID", message: expect.stringContaining("--since") }),
      );
    },
  );
});
