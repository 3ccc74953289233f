// First: V8 flags must be set before Cedar's wasm module is compiled (see wasm-tier.ts).
import "./wasm-tier.js";
import { runCli } from "./program.js";
import { startCliTracing } from "./tracing.js";

const warn = (line: string) => process.stderr.write(`${line}\n`);
// `governor runs show T | head`: the reader left, so there is no one to write to. Stop as Unix
// tools do, quietly, rather than with an EPIPE stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(process.exitCode ?? 0);
});
// Before the command, so its spans have a provider; a no-op without a tracing endpoint.
const tracing = await startCliTracing(warn);
const exitCode = await runCli(process.argv.slice(2));
process.exitCode = exitCode;
// A flush cut off by its timeout may leave a request to a hanging endpoint open: exit now
// rather than wait for its socket (the warning line is already written; stderr is synchronous).
if (await tracing.finish()) process.exit(exitCode);
