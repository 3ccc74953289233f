/**
 * A worker's process, for tests that promise "across processes": it opens its own
 * RedisToolCallLimits on REDIS_URL and acts on one tool, prints what happened as JSON on its
 * last line, and exits. Loads the packages from source through tsx (see tsconfig.json here).
 *
 * argv: <redis url> <tool> <rate|fail|call> [count]
 *   rate  count concurrent tries under { limit: 5, intervalMs: 60 s }: prints { admitted, refused }
 *   fail  count failing tries: prints { failed, refused }
 *   call  one succeeding try: prints { ok } or { reason, code }
 */
import { isCallRefused } from "@governor/core";
import { RedisToolCallLimits } from "../../src/index.js";
import { BREAKER, RATE } from "./settings.js";

const [url = "", tool = "", mode = "", count = "1"] = process.argv.slice(2);
const limits = new RedisToolCallLimits({ redis: url, commandTimeoutMs: 5_000 });
const tries = Array.from({ length: Number(count) }, (_, i) => i);
let answer: Record<string, unknown>;
try {
  if (mode === "rate") {
    const outcomes = await Promise.allSettled(
      tries.map(() => limits.guard(tool, RATE, async () => "called")),
    );
    answer = {
      admitted: outcomes.filter((o) => o.status === "fulfilled").length,
      refused: outcomes.filter((o) => o.status === "rejected" && isCallRefused(o.reason)).length,
    };
  } else if (mode === "fail") {
    let failed = 0;
    let refused = 0;
    for (const _ of tries) {
      await limits
        .guard(tool, BREAKER, async () => {
          throw new Error("downstream API is down");
        })
        .catch((error) => (isCallRefused(error) ? refused++ : failed++));
    }
    answer = { failed, refused };
  } else {
    answer = await limits
      .guard(tool, BREAKER, async () => ({ ok: true }))
      .catch((error) => ({
        reason: error.reason,
        code: error.code,
      }));
  }
} finally {
  await limits.close();
}
process.stdout.write(`${JSON.stringify(answer)}\n`);
