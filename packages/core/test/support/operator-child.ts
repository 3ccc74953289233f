/**
 * An operator's process, for tests that promise "another process": it opens the store in
 * `dir` with its own runtime, engages or releases a kill switch, prints the switches now
 * engaged as JSON, and exits. Loads the core package from source through tsx.
 *
 * argv: <store dir> <kill|unkill> [reason] [agent]
 */
import { GovernorRuntime } from "../../src/index.js";

const [dir = "", command = "", reason = "", agent] = process.argv.slice(2);
const runtime = new GovernorRuntime({ dir });
try {
  if (command === "kill") await runtime.kill({ reason, agent, by: "ops:child" });
  else if (command === "unkill") await runtime.unkill({ agent, by: "ops:child" });
  else throw new Error(`unknown command ${command}`);
  process.stdout.write(`${JSON.stringify(await runtime.killSwitches())}\n`);
} finally {
  await runtime.close();
}
