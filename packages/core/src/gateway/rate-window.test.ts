import { describe, expect, it } from "vitest";
import { RateWindow } from "./rate-window.js";

describe("RateWindow", () => {
  it("admits `limit` starts in a window and says when the oldest place frees up", () => {
    const window = new RateWindow(2, 1_000);

    expect(window.take(0)).toEqual({ ok: true });
    expect(window.take(400)).toEqual({ ok: true });
    expect(window.take(500)).toEqual({ ok: false, retryAfterMs: 500 });
  });

  it("slides: a start leaves the window exactly `intervalMs` after it was admitted", () => {
    const window = new RateWindow(2, 1_000);
    window.take(0);
    window.take(400);

    expect(window.take(999).ok).toBe(false);
    expect(window.take(1_000)).toEqual({ ok: true });
    expect(window.take(1_001).ok).toBe(false);
    expect(window.take(1_400)).toEqual({ ok: true });
  });

  it("does not count refused starts against the window", () => {
    const window = new RateWindow(1, 1_000);
    window.take(0);
    for (let at = 1; at < 1_000; at += 100) window.take(at);

    expect(window.take(1_000)).toEqual({ ok: true });
  });
});
