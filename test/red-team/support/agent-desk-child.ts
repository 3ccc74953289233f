/**
 * A worker process that dies mid-turn, for crash tests of the agent loop. It starts one desk
 * run (a read and a $50 credit in one turn) on the store in `dir`, appends every credit to the
 * ledger file (the real effect, outside any process), and SIGKILLs itself:
 *
 * - `in-handler`: inside the credit's handler, right after the ledger write, before the effect
 *   journal records the outcome;
 * - `after-commit`: in the credit's onResult, after the journal committed it and before the
 *   tools node's checkpoint.
 * - `after-approval`: the turn proposes two credits that need a supervisor ($300 and $400);
 *   the process approves the first with the store's keys, resumes, and dies in its onResult.
 *
 * argv: <store dir> <thread id> <in-handler|after-commit|after-approval> <ledger file>
 * Run with tsx and a tsconfig mapping @governor/* to source (see agent-loop-crash.test.ts).
 */
import fs from "node:fs";
import { GovernorRuntime } from "@governor/core";
import { agentDesk, credit, deskModel, pinnedDeskPolicy, read, signFor } from "./agent-desk.js";

const [dir = "", threadId = "", mode = "", ledger = ""] = process.argv.slice(2);
const die = () => process.kill(process.pid, "SIGKILL");
const desk = agentDesk({
  policy: pinnedDeskPolicy(),
  hooks: {
    onCredit: (args) => {
      fs.appendFileSync(ledger, `${JSON.stringify(args)}\n`);
      if (mode === "in-handler") die();
    },
    afterCredit: () => {
      if (mode === "after-commit" || mode === "after-approval") die();
    },
  },
});
const calls =
  mode === "after-approval" ? [credit("A-2", 300), credit("A-3", 400)] : [read("A-1"), credit("A-1", 50)];
const model = deskModel([{ text: "Crediting.", toolCalls: calls }]);
const runtime = new GovernorRuntime({ dir });
const outcome = await runtime.start(
  desk.workflow,
  { request: "credit A-1" },
  { model: model.model, threadId },
);
const [first] = outcome.approvals ?? [];
if (mode === "after-approval" && first) {
  const token = await signFor(runtime.store.tokenKeys, first);
  await runtime.resume(desk.workflow, threadId, { token }, { model: model.model });
}
// Reaching here means the process was not killed: the test fails on the exit status.
process.stdout.write("finished without dying\n");
