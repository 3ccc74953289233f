/**
 * A process that writes memory batches and is killed by the test, for crash and race tests
 * of @governor/memory. Every line it prints is written synchronously, so the test sees it
 * before the process can be killed.
 *
 * argv: <store dir> <mode> <arg>
 * - `block-at <g>:<n>`: writes generation g and, at the n-th statement run inside the batch's
 *   transaction, prints `blocked <n>` and waits forever (the test SIGKILLs it there);
 *   `block-at <g>:audit` stops right after the batch's audit record was inserted, uncommitted.
 * - `loop <g>`: writes generations g, g+1, ... forever, printing `committed <g>` after each.
 * - `race <tag>:<rounds>`: prints `ready`, waits for `go` on stdin, then writes `rounds`
 *   batches to ten shared keys (values `<tag>-<round>`, every fifth round a retraction too)
 *   and prints `done`.
 * Run with tsx and a tsconfig mapping @governor/* to source (see memory-child.ts).
 */
import fs from "node:fs";
import { openMemoryFiles, scope, writeGeneration, writer } from "./memory-files.js";

const [dir = "", mode = "", arg = ""] = process.argv.slice(2);
const say = (line: string) => fs.writeSync(1, `${line}\n`);
const files = openMemoryFiles(dir);

/** Stops this process where it stands, inside whatever transaction is open. */
function freeze(line: string): never {
  say(line);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  throw new Error("unreachable");
}

if (mode === "block-at") {
  const [g = "1", at = "1"] = arg.split(":");
  const statement = Object.getPrototypeOf(files.db.prepare("SELECT 1")) as {
    run: (...args: unknown[]) => unknown;
  };
  const run = statement.run;
  let runs = 0;
  statement.run = function (this: { source: string }, ...args: unknown[]) {
    const result = run.apply(this, args);
    if (files.db.inTransaction) {
      runs += 1;
      if (at === "audit" && this.source.includes("INSERT INTO audit_records")) freeze("blocked audit");
      if (String(runs) === at) freeze(`blocked ${runs}`);
    }
    return result;
  };
  writeGeneration(files, Number(g));
  // The batch had fewer statements than asked for: the test fails on this line.
  say(`committed ${g} after ${runs} statements`);
} else if (mode === "loop") {
  for (let g = Number(arg); ; g++) {
    writeGeneration(files, g);
    say(`committed ${g}`);
  }
} else if (mode === "race") {
  const [tag = "p", rounds = "50"] = arg.split(":");
  say("ready");
  const buffer = Buffer.alloc(16);
  // Blocks until the test writes "go" to stdin, so both writers start together.
  while (!buffer.toString("utf8").includes("go")) fs.readSync(0, buffer, 0, 16, null);
  for (let round = 0; round < Number(rounds); round++) {
    const writes = Array.from({ length: 10 }, (_, k) => ({
      scope,
      entity: `shared-${k}`,
      attribute: "owner",
      value: `${tag}-${round}`,
      kind: "mandate" as const,
      authority: { by: tag, weight: 50 },
      source: { type: "manual" as const },
    }));
    const retract =
      round % 5 === 4
        ? [
            {
              op: "retract" as const,
              scope,
              entity: `shared-${round % 10}`,
              attribute: "owner",
              authority: { by: tag, weight: 50 },
              source: { type: "manual" as const },
            },
          ]
        : [];
    files.store.writeNow({ principal: writer, threadId: `race-${tag}` }, [...writes, ...retract]);
  }
  files.close();
  say("done");
} else {
  say(`unknown mode ${mode}`);
  process.exitCode = 2;
}
