import { type CallLimitSettings, type CallRefusedError, isCallRefused } from "@governor/core";
import { freePort, pollUntil, type RedisServer, startRedis } from "@governor/testing-services";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisToolCallLimits } from "../src/index.js";
import { inAnotherWorker, WORKER_TEST_MS } from "./support/another-worker.js";
import { BREAKER, RATE } from "./support/settings.js";

let redis: RedisServer;
const open: RedisToolCallLimits[] = [];
let tools = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  await Promise.all(open.splice(0).map((limits) => limits.close()));
});

afterAll(async () => {
  await redis?.stop();
});

/** A worker's limits: its own connection to the shared Redis. */
function worker(commandTimeoutMs = 5_000): RedisToolCallLimits {
  const limits = new RedisToolCallLimits({ redis: redis.url, commandTimeoutMs });
  open.push(limits);
  return limits;
}

/** A tool name no other test has used, so each test starts from a closed breaker and an empty window. */
const freshTool = () => `tool_${process.pid}_${++tools}`;

const failing = async () => {
  throw new Error("downstream API is down");
};

/** What guard did: the try's value, or the refusal (the try did not run). */
async function attempt<T>(
  limits: RedisToolCallLimits,
  tool: string,
  settings: CallLimitSettings,
  tryOnce: () => Promise<T>,
): Promise<{ value?: T; refused?: CallRefusedError; error?: unknown }> {
  try {
    return { value: await limits.guard(tool, settings, tryOnce) };
  } catch (error) {
    return isCallRefused(error) ? { refused: error } : { error };
  }
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe("RedisToolCallLimits: a circuit breaker shared by workers", () => {
  it("opens for every worker when one worker's calls keep failing", async () => {
    const [a, b] = [worker(), worker()];
    const tool = freshTool();
    for (let i = 0; i < 3; i++) await attempt(a, tool, BREAKER, failing);
    let called = false;

    const refused = await attempt(b, tool, BREAKER, async () => {
      called = true;
    });

    expect(called).toBe(false);
    expect(refused.refused).toMatchObject({ reason: "circuit-open", code: "CIRCUIT_OPEN" });
    expect(refused.refused?.retryAfterMs).toBeGreaterThan(0);
    expect(await b.circuit(tool)).toBe("open");
  });

  it("counts consecutive failures from both workers, and a success from either resets the count", async () => {
    const [a, b] = [worker(), worker()];
    const tool = freshTool();
    await attempt(a, tool, BREAKER, failing);
    await attempt(b, tool, BREAKER, failing);
    await attempt(a, tool, BREAKER, async () => "ok");
    await attempt(b, tool, BREAKER, failing);
    await attempt(a, tool, BREAKER, failing);

    expect(await a.circuit(tool)).toBe("closed");
    await attempt(b, tool, BREAKER, failing);
    expect(await a.circuit(tool)).toBe("open");
  });

  it("lets exactly one worker make the half-open trial call; its success closes the breaker for all", async () => {
    const [a, b] = [worker(), worker()];
    const tool = freshTool();
    const settings = { timeoutMs: 60_000, breaker: { threshold: 1, halfOpenAfterMs: 200 } };
    await attempt(a, tool, settings, failing);
    await pollUntil("the breaker to half-open", async () => (await b.circuit(tool)) === "half-open", 60_000);
    const trial = deferred<string>();
    let calls = 0;
    const slow = () => {
      calls++;
      return trial.promise;
    };

    // Ten callers on each worker at once: only one of the twenty is the trial.
    let settled = 0;
    const racing = Array.from({ length: 10 }, () => [
      attempt(a, tool, settings, slow),
      attempt(b, tool, settings, slow),
    ])
      .flat()
      .map((outcome) => outcome.finally(() => settled++));
    // The trial ends only after every other caller has had its answer, so none can slip in after it.
    await pollUntil("the other callers to be answered", () => calls === 1 && settled === 19, 60_000);
    trial.resolve("recovered");
    const outcomes = await Promise.all(racing);

    expect(calls).toBe(1);
    expect(outcomes.filter((o) => o.value === "recovered")).toHaveLength(1);
    expect(outcomes.filter((o) => o.refused?.reason === "circuit-open")).toHaveLength(19);
    expect(await b.circuit(tool)).toBe("closed");
    expect((await attempt(b, tool, settings, async () => "normal again")).value).toBe("normal again");
  });

  it("opens again when the trial call fails", async () => {
    const [a, b] = [worker(), worker()];
    const tool = freshTool();
    const settings = { timeoutMs: 60_000, breaker: { threshold: 1, halfOpenAfterMs: 200 } };
    await attempt(a, tool, settings, failing);
    await pollUntil("the breaker to half-open", async () => (await a.circuit(tool)) === "half-open", 60_000);

    const trial = await attempt(b, tool, settings, failing);

    expect(trial.error).toBeInstanceOf(Error);
    expect(await a.circuit(tool)).toBe("open");
  });

  it(
    "opens for a worker process when another worker process's calls fail",
    async () => {
      const tool = freshTool();

      const failer = await inAnotherWorker(redis.url, tool, "fail", 4);
      const other = await inAnotherWorker(redis.url, tool, "call");

      expect(failer).toEqual({ failed: 3, refused: 1 });
      expect(other).toEqual({ reason: "circuit-open", code: "CIRCUIT_OPEN" });
    },
    WORKER_TEST_MS,
  );
});

describe("RedisToolCallLimits: a rate limit for the pool as a whole", () => {
  it("admits at most `limit` calls in a window across two connections", async () => {
    const [a, b] = [worker(), worker()];
    const tool = freshTool();
    let calls = 0;
    const call = async () => ++calls;

    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => attempt(i % 2 ? a : b, tool, RATE, call)),
    );

    expect(calls).toBe(5);
    const refused = outcomes.flatMap((o) => (o.refused ? [o.refused] : []));
    expect(refused).toHaveLength(7);
    for (const refusal of refused) {
      expect(refusal).toMatchObject({ reason: "rate-limited", code: "RATE_LIMITED" });
      expect(refusal.retryAfterMs).toBeGreaterThan(0);
      expect(refusal.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
  });

  it(
    "admits at most `limit` calls in a window across two worker processes",
    async () => {
      const tool = freshTool();

      const [first, second] = await Promise.all([
        inAnotherWorker(redis.url, tool, "rate", 20),
        inAnotherWorker(redis.url, tool, "rate", 20),
      ]);

      expect(Number(first?.admitted) + Number(second?.admitted)).toBe(5);
      expect(Number(first?.refused) + Number(second?.refused)).toBe(35);
    },
    WORKER_TEST_MS,
  );

  it("keeps each tool's window apart, under its own keys that expire", async () => {
    const limits = worker();
    const [one, two] = [freshTool(), freshTool()];
    for (let i = 0; i < 5; i++) await attempt(limits, one, RATE, async () => i);

    expect((await attempt(limits, one, RATE, async () => "sixth")).refused?.reason).toBe("rate-limited");
    expect((await attempt(limits, two, RATE, async () => "first")).value).toBe("first");
    const { Redis } = await import("ioredis");
    const raw = new Redis(redis.url);
    try {
      const keys = await raw.keys(`governor:limits:${one}:*`);
      expect(keys).toEqual([`governor:limits:${one}:rate:window`]);
      expect(await raw.pttl(keys[0] ?? "")).toBeGreaterThan(0);
    } finally {
      raw.disconnect();
    }
  });
});

describe("RedisToolCallLimits: Redis going away", () => {
  it("refuses calls with a clear error while Redis is down, and admits them again once it is back", async () => {
    const limits = worker(500);
    const tool = freshTool();
    expect((await attempt(limits, tool, BREAKER, async () => "before")).value).toBe("before");
    let called = false;

    await redis.kill();
    const down = await attempt(limits, tool, BREAKER, async () => {
      called = true;
    });
    await redis.restart();

    expect(called).toBe(false);
    expect(down.refused).toMatchObject({ reason: "limits-unavailable", code: "STORE_UNREACHABLE" });
    expect(down.refused?.message).toContain("could not be checked");
    // Redis restarted empty (no scripts cached): the client reloads them and calls go through.
    await pollUntil(
      "calls to be admitted after the restart",
      async () => (await attempt(limits, tool, BREAKER, async () => "after")).value === "after",
      60_000,
    );
  });

  it("refuses calls when Redis was never reachable, within the command timeout", async () => {
    const limits = new RedisToolCallLimits({
      redis: `redis://127.0.0.1:${await freePort()}`,
      commandTimeoutMs: 300,
    });
    open.push(limits);
    let called = false;

    const outcome = await attempt(limits, freshTool(), RATE, async () => {
      called = true;
    });

    expect(called).toBe(false);
    expect(outcome.refused).toMatchObject({ reason: "limits-unavailable", code: "STORE_UNREACHABLE" });
  });

  it("returns a try's result even when its outcome cannot be reported", async () => {
    const limits = worker(500);
    const tool = freshTool();

    const outcome = await attempt(limits, tool, BREAKER, async () => {
      await redis.kill();
      return "paid";
    });
    await redis.restart();

    expect(outcome.value).toBe("paid");
  });
});

it("refuses a Redis URL that is not redis:// with STORE_CONFIG_INVALID", () => {
  expect(() => new RedisToolCallLimits({ redis: "http://localhost:6379" })).toThrow(
    expect.objectContaining({ code: "STORE_CONFIG_INVALID" }),
  );
});
