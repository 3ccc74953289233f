import { runCli } from "../../src/program.js";
import type { Terminal } from "../../src/terminal.js";

/** The CLI in this process, its output captured line by line. */
export async function governorInProcess(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const terminal: Terminal = {
    out: (line = "") => out.push(line),
    err: (line = "") => err.push(line),
    interactive: false,
    color: false,
  };
  const code = await runCli(args, terminal);
  return { code, out, err };
}
