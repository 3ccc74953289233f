// First: V8 flags must be set before Cedar's wasm module is compiled (see wasm-tier.ts).
import "./wasm-tier.js";
import { runCli } from "./program.js";

process.exitCode = await runCli(process.argv.slice(2));
